package intents

import (
	"github.com/weiyin-bank/weiyin/intents/entity"
	"github.com/weiyin-bank/weiyin/intents/normalize"
)

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
	if len(c.Lists) > 0 {
		ec.Lists = make(map[string][]entity.ListValue, len(c.Lists))
		for name, vs := range c.Lists {
			l := make([]entity.ListValue, len(vs))
			for i, v := range vs {
				l[i] = entity.ListValue(v)
			}
			ec.Lists[name] = l
		}
	}
	found := e.x.Extract(t, ec)
	out := make([]Entity, len(found))
	for i, f := range found {
		out[i] = Entity(f)
	}
	return out
}
