// Package wechat is the WeChat official-account channel: the /wechat callback endpoint that
// WeChat's servers POST messages to, and a small client for the outbound API (access token,
// customer-service messages, template messages).
//
// # Basics
//
// NewHandler returns an http.Handler. It answers URL verification (GET with echostr) and
// message pushes in plaintext, compatible and safe (AES) modes. Each inbound message becomes
// one engine.Message, passed to a Turner (*engine.Bot) under the customer's openid; the reply
// goes back as the passive reply when the turn ends within the deadline (about 4 s: WeChat
// gives 5), otherwise the handler answers "success" and delivers the reply later as
// customer-service messages through Client. Replies over WeChat's 2048-byte limit are split at
// line breaks: the first part is the passive reply, the rest follow as customer-service
// messages.
//
// Message kinds: text; voice (WeChat's Recognition transcript, else the ASR hook, else the
// customer is asked to type); location; CLICK, subscribe (with its qrscene_ key), SCAN and
// unsubscribe events; images and everything else as Kind "image". Template-message receipts
// (TEMPLATESENDJOBFINISH) go to OnTemplateReceipt; other events (VIEW, LOCATION reports) are
// answered "success" without a turn.
//
// # Why not the SDK's server package
//
// The SDK (github.com/silenceper/wechat/v2 v2.1.14) is used for its message types
// (officialaccount/message) and its signature and AES code (util). Its server package is not
// used, because it fights what this endpoint must guarantee: a bad signature makes Serve write
// nothing (net/http then answers 200), a nil reply in safe mode is encrypted as an empty
// message instead of "success", it reads the body without a size cap, has no timestamp
// freshness check, no deduplication, no deadline, logs every message at debug level through
// logrus, and builds replies by reflection. The SDK's root package is never imported: its
// init turns on debug logging of every message (customer data in logs). Its outbound Manager
// and Template go through a package-global HTTP client without timeouts and a global access
// token cache whose errors hide the errcode, so Client is written here with the SDK's payload
// types, its own http.Client with timeouts, a configurable base URL (--wechat-api) and a
// refresh-and-retry-once on an expired token (errcode 40001, 40014, 42001).
//
// # Guarantees
//
//   - The URL signature is checked before anything else; a forged one gets 403 and nothing is
//     read or processed. In safe mode the msg_signature over the ciphertext is checked too.
//   - Requests whose timestamp is more than MaxSkew (5 minutes) from the injected clock get
//     403 (replay protection).
//   - In plaintext and compatible modes, where the signature does not cover the body, a signed
//     URL (timestamp and nonce) is remembered for the freshness window with a digest of its
//     body: the same URL with another body is a replay and gets 403.
//   - Bodies over MaxBody (64 KB) get 413; malformed XML/JSON or ciphertext gets 400.
//   - A message is turned once however often WeChat sends it: retries are keyed by MsgId
//     (events by FromUserName+CreateTime+Event+EventKey) and join the running turn; each gets the same
//     passive reply, or "success" once the answer has gone out as customer-service messages.
//     The engine also dedupes by Message.ID, which covers retries across a restart.
//
// # Caveats
//
// The in-flight table lives in memory: a retry that reaches another replica is deduplicated by
// the engine (Message.ID), not here. Customer-service messages can only be sent within 48
// hours of the customer's last message; that always holds for answers to a message.
package wechat
