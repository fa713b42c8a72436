package intents

import (
	"unsafe"

	"github.com/weiyin-bank/weiyin/intents/entity"
	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// ListValue and entity.ListValue must stay identical field for field: this conversion does
// not compile otherwise, and entityLists relies on it to share the customer's lists without
// copying them.
var _ = entity.ListValue(ListValue{})

// Extractor finds entities in a normalised message. The default is package entity's
// extractor; tests may inject another through Options.
type Extractor interface {
	Extract(t normalize.Text, c Context) []Entity
}

// entityExtractor adapts entity.Extractor, whose types mirror this package's field for field
// (entity cannot import intents: intents imports entity).
type entityExtractor struct {
	x *entity.Extractor
}

// DefaultExtractor returns package entity's extractor behind the Extractor interface.
func DefaultExtractor() Extractor { return entityExtractor{entity.New()} }

func (e entityExtractor) Extract(t normalize.Text, c Context) []Entity {
	var ec entity.Context
	ec.Now = c.Now
	ec.Lists = entityLists(c.Lists)
	// The extractor's entities are this package's, field for field (the conversion below
	// does not compile otherwise): its fresh slice is taken as it is, not copied.
	var _ = Entity(entity.Entity{})
	found := e.x.Extract(t, ec)
	out := unsafe.Slice((*Entity)(unsafe.Pointer(unsafe.SliceData(found))), len(found))
	return append(out, romanizedNames(t, c.Lists, out)...)
}

// NormNames returns names normalised as they are matched, for ListValue.Norm.
func NormNames(names []string) [][]rune { return entity.NormNames(names) }

// entityLists views the customer's lists as package entity's type without copying the values
// (the engine passes the same, possibly long, lists every turn): the element types are
// identical (see the conversion above), so the slices are reinterpreted in place. The
// extractor only reads them.
func entityLists(lists map[string][]ListValue) map[string][]entity.ListValue {
	if len(lists) == 0 {
		return nil
	}
	out := make(map[string][]entity.ListValue, len(lists))
	for name, vs := range lists {
		if len(vs) > 0 {
			out[name] = unsafe.Slice((*entity.ListValue)(unsafe.Pointer(unsafe.SliceData(vs))), len(vs))
		}
	}
	return out
}
