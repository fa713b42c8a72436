package intents

import (
	"time"

	"github.com/weiyin-bank/weiyin/intents/entity"
)

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
	// Unit is the unit of a money or duration value. Money: the ISO 4217 code of a foreign
	// currency ("USD", "TWD", "JPY"...), empty for renminbi (元/块/人民币/RMB/CNY or no currency
	// word); Value is then in that currency, never converted. Duration: minute, hour, day, week
	// or month (years are counted in months), or second. Empty for other types.
	Unit string `json:"unit,omitempty"`
	// Role is what cue words around the value say it is for: RoleTo after 给/向/转给/转到...
	// (where money goes), RoleFrom after 从/用/由/拿 or before 卡里 (where it comes from),
	// RoleNot when the customer says it is not the one (不是张三, 别转给张三, 500不对): such a
	// value fills no slot. Empty when nothing says. Roles name no dialog slot: the engine maps
	// them to slots.
	Role string `json:"role,omitempty"`
}

// Roles of an entity (Entity.Role), as package entity names them.
const (
	RoleTo   = entity.RoleTo
	RoleFrom = entity.RoleFrom
	RoleNot  = entity.RoleNot
)

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
