package transcript

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"unicode"
)

// Noise perturbs customer lines the way a speech recogniser mangles voice messages, to measure
// how robust a bot is to voice input. It is deterministic: the same seed, run and turn give the
// same text.
type Noise struct {
	Kind string // "asr"
	Seed uint64
}

// ParseNoise returns the noise model called kind ("asr"), or nil for "" or "none".
func ParseNoise(kind string, seed uint64) (*Noise, error) {
	switch kind {
	case "", "none":
		return nil, nil
	case "asr":
		return &Noise{Kind: kind, Seed: seed}, nil
	}
	return nil, fmt.Errorf("unknown noise model %q (want asr)", kind)
}

// String names the model and its seed; "" for nil.
func (n *Noise) String() string {
	if n == nil {
		return ""
	}
	return fmt.Sprintf("%s(seed %d)", n.Kind, n.Seed)
}

// asrHomophones are recognition errors seen in Chinese voice transcripts: the right word and
// what a recogniser writes instead.
var asrHomophones = [][2]string{
	{"余额", "鱼额"}, {"账", "帐"}, {"转", "专"}, {"还款", "还宽"}, {"积分", "鸡分"},
	{"网点", "往点"}, {"理财", "里财"}, {"绑定", "帮定"}, {"挂失", "挂湿"}, {"确认", "却认"},
	{"充值", "冲值"}, {"明细", "明西"}, {"预约", "预越"}, {"贷款", "带款"}, {"信用卡", "心用卡"},
	{"取消", "去消"}, {"缴费", "交费"}, {"话费", "化费"},
}

var asrFillers = []string{"嗯", "呃", "那个", "就是", "嗯那个", "然后"}

var spokenDigits = []rune("零幺二三四五六七八九")

// Apply returns text as a recogniser might have transcribed it: punctuation dropped, maybe a
// filler in front, maybe one homophone swapped, long digit strings spoken (幺三八...).
func (n *Noise) Apply(text, run string, turn int) string {
	if n == nil {
		return text
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d", run, turn)
	rng := rand.New(rand.NewPCG(n.Seed, h.Sum64()))

	var b strings.Builder
	for _, r := range text {
		if unicode.IsPunct(r) || unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" {
		return text
	}
	var present [][2]string
	for _, hp := range asrHomophones {
		if strings.Contains(out, hp[0]) {
			present = append(present, hp)
		}
	}
	if len(present) > 0 && rng.IntN(10) < 7 {
		hp := present[rng.IntN(len(present))]
		out = strings.Replace(out, hp[0], hp[1], 1)
	}
	if rng.IntN(2) == 0 {
		out = speakLongNumbers(out)
	}
	if rng.IntN(2) == 0 {
		out = asrFillers[rng.IntN(len(asrFillers))] + out
	}
	return out
}

// speakLongNumbers writes digit runs of 7 or more (phone and card numbers) as a recogniser
// transcribes digits read one by one: 幺三八...
func speakLongNumbers(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		if j-i >= 7 {
			for _, d := range rs[i:j] {
				b.WriteRune(spokenDigits[d-'0'])
			}
			i = j
			continue
		}
		if j > i {
			b.WriteString(string(rs[i:j]))
			i = j
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}
