package engine

// Message is one inbound message from a channel.
type Message struct {
	ID   string // channel message id; a repeat with the same id gets the stored reply
	Kind string // "text" (default), "voice", "location", "event", "image"
	Text string // text, or the voice transcript
	// Location messages.
	Lat, Lng float64
	Label    string
	// Event messages: "subscribe", "unsubscribe", "click" (Key = menu key), "scan".
	Event string
	Key   string
	// As speaks as this customer id (sandbox login, tests); the channel decides if it is allowed.
	As string
}

// Reply is what the bot answers to one message.
type Reply struct {
	Texts      []string          `json:"texts"`
	Buttons    []string          `json:"buttons,omitempty"`
	Intent     string            `json:"intent"`
	Confidence float64           `json:"confidence"`
	Entities   []ReplyEntity     `json:"entities,omitempty"`
	Flow       string            `json:"flow,omitempty"`  // active flow after the turn
	Step       string            `json:"step,omitempty"`  // its waiting step label
	Slots      map[string]string `json:"slots,omitempty"` // masked where sensitive
	Handoff    bool              `json:"handoff,omitempty"`
}

// ReplyEntity is an entity as channels report it.
type ReplyEntity struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Text  string `json:"text"`
}
