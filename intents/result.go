package intents

import "time"

// Entity is a value found in a message. Start and End are rune offsets into the text the
// customer wrote (not the normalised text), so Text == original[Start:End].
type Entity struct {
	Type  string `json:"type"`           // entity type: money, date, contact, account_type ...
	Value string `json:"value"`          // canonical value: "500.00" (yuan, two decimals), "2026-11-26", "15:00", enum value, ...
	Text  string `json:"text"`           // what the customer wrote
	Start int    `json:"start"`          // rune offset in the original text
	End   int    `json:"end"`            // rune offset, exclusive
	Slot  string `json:"slot,omitempty"` // the slot role when an example names one ("payee")
	// End2 is the second bound of a period or range (date/time RFC 3339), empty otherwise.
	End2 string `json:"end_value,omitempty"`
	// Unit qualifies a value: a money entity's currency when it is not yuan (ISO 4217: "USD",
	// "TWD"), a duration's unit ("minute", "hour", "day", "week", "month").
	Unit string `json:"unit,omitempty"`
	// Role is what the words around the entity make of it: "to" (给张三, 转到工资卡), "from"
	// (从工资卡). Roles never name a dialog's slots: the engine maps them.
	Role string `json:"role,omitempty"`
}

// Candidate is a scored intent.
type Candidate struct {
	Intent     string  `json:"intent"`
	Confidence float64 `json:"confidence"`
}

// Result is what Understand makes of one message.
type Result struct {
	Text         string      `json:"text"`
	Normalized   string      `json:"normalized"`
	Intent       string      `json:"intent"` // "none" when out of scope
	Confidence   float64     `json:"confidence"`
	Entities     []Entity    `json:"entities"`
	Alternatives []Candidate `json:"alternatives"`
	// Ambiguous is set when the top two intents are too close to pick: Alternatives[0] is the
	// runner-up the engine should offer.
	Ambiguous bool `json:"ambiguous,omitempty"`
}

// ListValue is one value of a list entity supplied at run time (a customer's contacts, the
// bank's branches...): Value is the id the engine uses, Names what a customer may say. Norm
// is optional: the names normalised (NormNames), for a caller that passes the same lists
// every turn; without it the names are normalised at each use, through a bounded cache.
type ListValue struct {
	Value string
	Names []string
	Norm  [][]rune
}

// Context is what varies per message: the clock for relative dates and the customer's own
// lists (entity name -> values).
type Context struct {
	Now   time.Time
	Lists map[string][]ListValue
}

// None is the intent of out-of-scope messages.
const None = "none"
