// Package notify is the push-notification queue: the bank's systems POST a notification
// (transaction alert, repayment reminder, product news) for a customer to /api/notify and it
// is delivered as a WeChat template message.
//
// # Basics
//
// Open opens the queue's own bbolt file. Enqueue (or POST /api/notify with the bearer token)
// stores a Job and returns only after the write is committed to disk: an accepted
// notification is delivered or reported failed, across crashes and restarts. Run delivers due
// jobs through a Sender (*wechat.Client), at most Rate per second (golang.org/x/time/rate), retrying
// transient failures with exponential backoff until MaxAttempts, then marking them failed.
// GET /api/notify/{id} reports a job's status. Receipt applies WeChat's final report on a
// delivered message (the TEMPLATESENDJOBFINISH event the /wechat endpoint receives): a
// "failed:user block" turns the job failed.
//
// OpenStream is the same queue on a Redis Stream that several weiyin instances share (serve
// --store redis://...): one consumer group, each job sent by one instance, a dead instance's
// jobs taken over (XAUTOCLAIM), one rate limit for all (StreamQueue). The bbolt and the Redis
// queue pass the same tests.
//
// Requests are idempotent by the caller's id: the same id with the same content returns the
// existing job; the same id with other content is a conflict (409).
//
// # Caveats
//
// Delivery is at least once: a crash between WeChat accepting a send and the queue recording
// it sends again on restart. The job id is passed as the template message's client_msg_id,
// WeChat's anti-reentry key, so WeChat drops such a repeat. An expired access token is
// refreshed and the send retried once inside the Sender (wechat.Client), not counted as an
// attempt here.
package notify
