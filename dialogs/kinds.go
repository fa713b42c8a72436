package dialogs

// MarshalText writes a step kind by name ("ask", "call", ...) in JSON dumps.
func (k StepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

var entityKindNames = [...]string{"builtin", "enum", "bank"}

func (k EntityKind) String() string {
	if int(k) < len(entityKindNames) && k >= 0 {
		return entityKindNames[k]
	}
	return "?"
}

// MarshalText writes an entity kind by name ("builtin", "enum", "bank").
func (k EntityKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }
