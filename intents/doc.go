// Package intents is weiyin's NLU: it tells which intent of a dialog Bundle a customer's
// message expresses, with the entities it holds, or says the message is out of scope
// (intent none).
//
// # Basics
//
// New compiles a Bundle into an Understander, once per bundle (the first call of the process
// also loads the tokeniser's dictionaries, see package jiebadict). Understand is then a pure
// function of the message and its Context (clock, the customer's lists): the
// Understander is immutable and safe for concurrent use, and keeps no state between calls.
//
// One message goes through:
//
//  1. normalisation (package normalize): traditional to simplified, full-width to half-width,
//     fillers and repeats dropped, with a map back to the original runes;
//  2. entities: package entity's extractor (money, dates, phones, the customer's contacts ...),
//     the bundle's enum values (信用卡, 水费) and the bank-listed values its examples mark
//     (张三 in "给[张三](contact)转账"); builtin and bank-listed values are replaced by one
//     placeholder per type, so that "给李四转两百块" matches "给[张三](contact)转[500块](money)";
//     enum values keep their words, which are strong cues, and add their type;
//  3. homophone correction: a run of single-rune tokens that is no word (of the bundle or of
//     jieba's full dictionary) but sounds (toneless, or fuzzy pinyin keeping a rune) like
//     one banking term is replaced by it (鱼额 -> 余额, 挂湿 -> 挂失, 月额 -> 余额); the
//     guards are in homophone.go;
//  4. features: jieba words (the process-wide gojieba instance, plus the bundle's own words:
//     entity names, keywords, titles), Han characters and bigrams, pairs of toneless pinyin
//     syllables (a phrase table fixes polyphones: 还款 huan kuan, 银行 yin hang), and
//     entity types; each hashed to 64 bits and weighted by its kind and its inverse frequency
//     over intents;
//  5. scoring: the cosine similarity to the nearest example of each intent, blended with the
//     intent's centroid and with a multinomial logistic regression trained at New (fixed
//     seed: deterministic). Built-in everyday utterances (weather, films, travel ...) form a
//     rival class for none, with near-business ones (rivals.txt: 医保卡, 电费怎么这么贵,
//     礼品卡余额) that the calibration never holds out.
//
// Before step 4, the synonym layer (synonyms.go, synonyms.txt: banking terms reviewed by the
// team, Taiwan and Hong Kong wording, English) translates English members to their Chinese
// term (check my balance is matched as 查询 余额; a phrase such as customer service as one
// member; translated terms that make one word are glued: wealth products is 理财产品) and
// adds each group's term as a feature wherever a member occurs (解除绑定 meets 解绑). After
// scoring, negation.go reads contrast and calling off, in Chinese and in English
// (negation_english.go): 不是查余额,我是要转账 is a transfer, 不要预约了 and I don't want to
// transfer anymore are cancel, 我要转账,不是查余额 is a transfer. The classes of wording
// and their figures: docs/nlu-wording.md.
//
// The best intent is accepted when its score reaches Options.Threshold and beats none. With
// Options.Calibrate (the weiyin command sets it) the threshold is derived from the bundle's
// own held-out examples and background at New, cached by the bundle's hash (calibrate.go);
// the logistic model and the examples' cuts are cached beside it (modelcache.go, tokencache.go).
// A bundle of few examples an intent (under 8) may also get a domain gate (gate.go): a
// message using words that only the bundle's examples (or the synonym layer) have, none of
// the background, gets its best intent under a lower, calibrated bar; whether a message is
// about the business at all is learnt from all intents' examples together, which one from
// its own few. Such a bundle's characters also weigh more than its words (params.go,
// fewParams): a customer's word is rarely one of three examples' words, its characters
// often are. The choices and their figures: docs/nlu-evaluation.md. A FAQ
// intent must beat the best flow intent by params.faqMargin (0.05): a question about an
// operation (积分能换什么) is usually the operation, whose flow can answer it, while the FAQ
// cannot do the flow's work. Its confidence is a logistic of the score (0.5 at the
// threshold), lowered when the runner-up is close; within Options.AmbiguityMargin the
// result is Ambiguous and Alternatives[0] is the runner-up. A message that is nothing but one
// enum value ("信用卡" alone: bill, repayment or a new card?) is Ambiguous whenever a second
// intent passes the threshold, however far behind. A message made only of slot values ("2", "500块", "明天") is none with its
// entities: the engine uses them to fill a slot or pick a numbered option.
//
// Explain gives the same answer with the reasons: normalised and matched text, tokens,
// features never seen in the examples, and per candidate the nearest examples with the
// features they share. Evaluate scores an Understander on labelled lines (`weiyin eval`);
// ReadExamples builds a Bundle of intents from `text<TAB>intent` lines.
//
// # Evaluation
//
// The held-out evaluation set is testdata/nlu/eval.tsv, written without reading the dialogs
// and never used to edit them (`weiyin eval --no-texts` shows its figures without its lines);
// TestBankEvaluation holds the product's bar. Parameters and dialog examples are chosen on the
// development sets (intents/testdata/bankdev*.tsv, cross-validation over the dialogs' own
// examples; for few-example bundles also two FAQ bots written blind to the evaluation bots,
// intents/testdata/faqdev*.tsv) only, so that the held-out figures stay honest. jieba's HMM is off (Options.HMM):
// it did not improve accuracy and costs time. Figures and the history of each choice:
// docs/nlu-evaluation.md; speed: docs/benchmarks.md (BenchmarkUnderstand).
//
// # Caveats
//
// The tokeniser is process-wide and never freed (gojieba leaks when instances are freed); its
// dictionary is never modified, so one bundle's words cannot change another's results.
// Messages longer than Options.MaxRunes are cut before analysis. Confidence is a calibrated
// score, not a probability measured on data.
package intents
