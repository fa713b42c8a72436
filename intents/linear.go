package intents

import (
	"math"
	"math/rand/v2"
)

// linear is a multinomial logistic regression over the same feature vectors as the
// nearest-example scorer, trained at New with a fixed seed (deterministic). It learns which
// features tell intents apart (约 for booking, 绑 for binding) where cosine similarity weighs
// every shared feature alike; features it never saw add nothing but still dilute the
// message's vector, so an unfamiliar message gets a flat, unconfident distribution. It has no
// bias term: a bias would learn the classes' sizes (the many background examples of none)
// and answer messages it knows nothing about with the biggest class.
type linear struct {
	w       []float32 // feature id * classes + class
	classes int
}

// linearDoc is one training vector: feature ids and unit-normalised weights.
type linearDoc struct {
	class int32
	ids   []int32
	xs    []float32
}

const (
	linearEpochs = 40
	linearRate   = 0.5
	linearL2     = 1e-5
)

func trainLinear(docs []linearDoc, features, classes int) *linear {
	m := &linear{w: make([]float32, features*classes), classes: classes}
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	// Balance the classes: an intent with few examples (or the many background examples of
	// none) must not win by its count alone.
	count := make([]int, classes)
	for _, d := range docs {
		count[d.class]++
	}
	weight := make([]float32, classes)
	for c, n := range count {
		if n > 0 {
			weight[c] = float32(len(docs)) / float32(classes*n)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	p := make([]float32, classes)
	for epoch := 0; epoch < linearEpochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := float32(linearRate / (1 + 0.1*float64(epoch)))
		for _, di := range order {
			d := docs[di]
			m.probs(d.ids, d.xs, p)
			dw := weight[d.class]
			for c := range p {
				g := p[c]
				if int32(c) == d.class {
					g--
				}
				p[c] = g * dw
			}
			for k, id := range d.ids {
				row := m.w[int(id)*classes : int(id+1)*classes]
				x := d.xs[k]
				for c, g := range p {
					row[c] -= rate * (g*x + linearL2*row[c])
				}
			}
		}
	}
	return m
}

// probs writes the class probabilities of a vector into p.
func (m *linear) probs(ids []int32, xs []float32, p []float32) {
	p = p[:m.classes]
	clear(p)
	xs = xs[:len(ids)]
	for k, id := range ids {
		m.addRow(p, id, xs[k])
	}
	m.softmax(p)
}

// addRow adds feature id's row of weights times x to the logits p.
func (m *linear) addRow(p []float32, id int32, x float32) {
	p = p[:m.classes]
	row := m.w[int(id)*m.classes : int(id+1)*m.classes]
	row = row[:len(p)]
	for c, w := range row {
		p[c] += w * x
	}
}

// softmax turns the logits p into probabilities.
func (m *linear) softmax(p []float32) {
	p = p[:m.classes]
	mx := p[0]
	for _, v := range p {
		mx = max(mx, v)
	}
	var sum float32
	for c, v := range p {
		e := float32(math.Exp(float64(v - mx)))
		p[c] = e
		sum += e
	}
	for c := range p {
		p[c] /= sum
	}
}
