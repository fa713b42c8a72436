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
// sorted: the required ones and the optional ones.
func ReservedReplies() []string { return slices.Sorted(slices.Values(reservedReplies)) }

// RequiredReplies lists the reserved replies every bot must declare (the engine has no words
// of its own for them), sorted. check reports a missing or misspelt one as an error.
func RequiredReplies() []string { return slices.Sorted(slices.Values(requiredReplies)) }

// OptionalReplies lists the reserved replies the engine says in its own default words unless
// the bot declares them, sorted. A misspelt one is an error: the bot's words would never be
// said.
func OptionalReplies() []string { return slices.Sorted(slices.Values(optionalReplies)) }

// ErrorCodes lists every error code a bank call may fail with in cat: each operation's own,
// the common ones and the engine's generic ones, sorted. `on error CODE` and `reply
// error_CODE` name one of them.
func ErrorCodes(cat Catalogue) []string {
	set := map[string]bool{}
	for _, n := range cat.OpNames() {
		op, _ := cat.Op(n)
		for _, e := range op.Errors {
			set[e] = true
		}
	}
	for _, e := range append(slices.Clone(CommonErrors), engineErrors...) {
		set[e] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// Options configure Load. The zero Options check against DefaultCatalogue.
type Options struct {
	// Catalogue is the bank's operation catalogue calls are checked against.
	Catalogue Catalogue
	// SkipDrafts leaves the draft files (*.dlg.draft) unread: a server loads what goes live,
	// so a broken draft cannot stop it. check reads them.
	SkipDrafts bool
	// Unchecked returns the Bundle even when the checker found errors (the files still have
	// to parse). It is for tests of the engine's own run-time guards against bundles the
	// checker refuses (a value set after the code); nothing may serve such a bundle.
	Unchecked bool
}

func (o Options) catalogue() Catalogue {
	if o.Catalogue == nil {
		return DefaultCatalogue()
	}
	return o.Catalogue
}
