package dialogs

import (
	"maps"
	"slices"
)

// Catalogue is what the checker knows of the bank's operations: arguments, results, error
// codes and whether an operation moves money. dialogs knows nothing of banking; the bank's
// operation registry implements Catalogue, and `weiyin ops` prints the same one, so the
// checker, the engine and the staff's documentation read one table.
type Catalogue interface {
	// Op returns the operation called name.
	Op(name string) (Op, bool)
	// OpNames lists every operation, sorted.
	OpNames() []string
}

// DefaultCatalogue is the catalogue of Ops, used when Options gives none.
func DefaultCatalogue() Catalogue { return opsCatalogue{} }

type opsCatalogue struct{}

func (opsCatalogue) Op(name string) (Op, bool) {
	op, ok := Ops[name]
	return op, ok
}

func (opsCatalogue) OpNames() []string { return slices.Sorted(maps.Keys(Ops)) }

// ReservedReplies lists the reply names the engine says itself (greeting, fallback, ...),
// sorted. Every bot must declare each of them: check reports a missing or misspelt one as an
// error.
func ReservedReplies() []string {
	out := slices.Clone(reservedReplies)
	slices.Sort(out)
	return out
}

// Options configure Load. The zero Options check against DefaultCatalogue.
type Options struct {
	// Catalogue is the bank's operation catalogue calls are checked against.
	Catalogue Catalogue
}

func (o Options) catalogue() Catalogue {
	if o.Catalogue == nil {
		return DefaultCatalogue()
	}
	return o.Catalogue
}
