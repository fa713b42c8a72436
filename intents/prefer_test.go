package intents

import (
	"slices"
	"testing"
)

// Ensure preferFlow lets a close flow intent win over a FAQ intent, and only then.
func TestPreferFlow(t *testing.T) {
	// Intents: 0 none, 1 flow, 2 FAQ, 3 FAQ.
	u := &Understander{faq: []bool{false, false, true, true}, p: params{faqMargin: 0.05}, opts: Options{Threshold: 0.3}}
	tests := []struct {
		best []scored
		none float32
		want []int32
		why  string
	}{
		{[]scored{{intent: 2, score: 0.62}, {intent: 1, score: 0.60}}, 0, []int32{1, 2}, "a flow intent within the margin of a FAQ wins"},
		{[]scored{{intent: 2, score: 0.70}, {intent: 1, score: 0.60}}, 0, []int32{2, 1}, "a FAQ far ahead keeps its lead"},
		{[]scored{{intent: 2, score: 0.63}, {intent: 3, score: 0.62}, {intent: 1, score: 0.60}}, 0, []int32{1, 2, 3}, "the flow intent may be behind another FAQ; the rest keep their order"},
		{[]scored{{intent: 1, score: 0.60}, {intent: 2, score: 0.59}}, 0, []int32{1, 2}, "a flow intent in the lead stays"},
		{[]scored{{intent: 2, score: 0.32}, {intent: 1, score: 0.29}}, 0, []int32{2, 1}, "a flow intent below the threshold is not promoted"},
		{[]scored{{intent: 2, score: 0.62}, {intent: 1, score: 0.60}}, 0.61, []int32{2, 1}, "a flow intent that none beats is not promoted"},
	}
	for _, tt := range tests {
		u.preferFlow(tt.best, tt.none, 0)
		var got []int32
		for _, s := range tt.best {
			got = append(got, s.intent)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: order %v, want %v", tt.why, got, tt.want)
		}
	}
}

// Ensure the customer's lists reach package entity unchanged and without a copy of the values.
func TestEntityListsShared(t *testing.T) {
	lists := map[string][]ListValue{"contacts": {{Value: "c1", Names: []string{"张三"}}, {Value: "c2", Names: []string{"李四", "老李"}}}, "empty": nil}
	got := entityLists(lists)
	if len(got) != 1 || len(got["contacts"]) != 2 {
		t.Fatalf("entityLists = %v, want the contacts list only", got)
	}
	for i, v := range got["contacts"] {
		if v.Value != lists["contacts"][i].Value || !slices.Equal(v.Names, lists["contacts"][i].Names) {
			t.Errorf("value %d = %+v, want %+v", i, v, lists["contacts"][i])
		}
	}
	if &got["contacts"][0].Value != &lists["contacts"][0].Value {
		t.Error("the list was copied, want it shared")
	}
	if entityLists(nil) != nil {
		t.Error("no lists must give a nil map")
	}
}
