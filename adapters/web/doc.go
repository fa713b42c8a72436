// Package web is the HTTP side of weiyin serve apart from WeChat: the JSON chat API
// (POST /api/chat, the shape Botium's generic REST connector reads), /healthz, /metrics
// (Prometheus), request logging with log/slog, and MaskPII, the masking of card and phone
// numbers in anything logged.
//
// # Basics
//
// NewChat serves POST /api/chat against a Turner (*engine.Bot). Metrics holds the process's
// Prometheus collectors; Metrics.Instrument wraps a Turner so every channel's turns are
// counted and timed. LogRequests wraps a handler with one slog line a request. MaskingHandler
// wraps a slog.Handler so every message and string attribute passes through MaskPII.
//
// # Caveats
//
// MaskPII works on digits: card numbers (13 or more digits, spaces or dashes allowed), mainland
// mobile numbers and ID-card numbers. It cannot know that a name or an address is personal;
// do not log message texts at Info.
package web
