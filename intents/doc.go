// Package intents is weiyin's NLU: it tells which intent of a dialog Bundle a customer's
// message expresses, with the entities it holds, or says the message is out of scope
// (intent none).
//
// # Basics
//
// New compiles a Bundle into an Understander, once per bundle (about 0.2 s of CPU for the
// bank bot; the first call of the process also loads the tokeniser's dictionaries, 0.3 s,
// see package jiebadict). Understand is
// then a pure function of the message and its Context (clock, the customer's lists): the
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
//     entity names, keywords, titles), Han characters and bigrams, toneless pinyin syllables
//     and syllable pairs (a phrase table fixes polyphones: 还款 huan kuan, 银行 yin hang), and
//     entity types; each hashed to 64 bits and weighted by its kind and its inverse frequency
//     over intents;
//  5. scoring: the cosine similarity to the nearest example of each intent, blended with the
//     intent's centroid and with a multinomial logistic regression trained at New (fixed
//     seed: deterministic). Built-in everyday utterances (weather, films, travel ...) form a
//     rival class for none.
//
// Before step 4, the synonym layer (synonyms.go, synonyms.txt: banking terms reviewed by the
// team, Taiwan and Hong Kong wording, English) translates English members to their Chinese
// term (check my balance is matched as 查询 余额) and adds each group's term as a feature
// wherever a member occurs (解除绑定 meets 解绑). After scoring, negation.go reads contrast
// and calling off: 不是查余额,我是要转账 is a transfer, 不要预约了 is cancel.
//
// The best intent is accepted when its score reaches Options.Threshold and beats none. With
// Options.Calibrate (the weiyin command sets it) the threshold is derived from the bundle's
// own held-out examples and background at New, cached by the bundle's hash (calibrate.go). A FAQ
// intent must beat the best flow intent by params.faqMargin (0.05): a question about an
// operation (积分能换什么) is usually the operation, whose flow can answer it, while the FAQ
// cannot do the flow's work. Its confidence is a logistic of the score (0.5 at the
// threshold), lowered when the runner-up is close; within Options.AmbiguityMargin (0.05) the
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
// # Figures
//
// The held-out evaluation set is testdata/nlu/eval.tsv (613 lines, written without reading
// the dialogs; never used to edit them; `weiyin eval --no-texts` shows its figures without its
// lines). On 2026-12-07, with the shipped dialogs (2,057 examples, calibrated threshold 0.29):
// in-scope accuracy 98.1% (518/528), out-of-scope rejection 96.5% (82/85); on 2026-11-25,
// 97.7% and 96.5%; TestBankEvaluation holds the product's bar
// (97%, 95%). The path there, each step chosen on development data:
//
//   - 16:10, 94.5% / 94.1%. The original generic parameters (feature weights, unseen-feature
//     discount, blend) had been chosen on the evaluation set, which makes its figures
//     optimistic; the FAQ margin and the ambiguity margin on development data only.
//   - Three FAQs duplicated catalogue intents (营业时间, 积分兑换, 客服电话 belong to
//     branch_search, points and handoff, as DESIGN.md says); folded into them: 96.2%.
//   - A second hand-written development set, testdata/bankdev2.tsv (487 lines, 37% traditional
//     or regional wording, 27% speech-like, 88 out of scope), scored 84.0% / 88.6%. What it
//     showed missing: Hong Kong and Taiwan wording (normalize's dict/Regional.txt), other
//     providers' services taken for ours (providers.txt), a thin out-of-scope class (74 lines,
//     now 433), and paraphrases (about 400 new dialog examples, written without reading
//     either set). bankdev2 then: 93.7% / 96.6%.
//   - Scoring intent none by its nearest background example when that beats the blend (the
//     background is many topics; its centroid says little) let the threshold come down from
//     0.30 to 0.27 without letting more out-of-scope lines through: cross-validation 87.3% ->
//     88.0%, bankdev2 94.7% / 97.7% -> 95.0% / 96.6%, bankdev 98.9% / 100% at both. Lower
//     thresholds scored a little better still on development data (0.18: 89.4% CV) but rest
//     more on the background's coverage of what customers say out of scope; not taken.
//
// Issue 18 (2026-12-07), each step measured on development data, the held-out set looked at
// only with --no-texts (details and the k-shot figures in docs/nlu-evaluation.md):
//
//   - Homophone correction guarded (homophone.go): of 3,040 sentences of the public corpora
//     (none about a bank), 114 were rewritten with the token guards alone, 64 with jieba's
//     full dictionary as a word test, 25 when terms that a much more frequent word sounds
//     like are dropped, 4 (one classical line) when runs of common function runes are kept.
//     Example words become correction targets only when 3 examples use them (1: 同事, 一起,
//     持有 were targets and rewrote everyday lines). Held-out figures unchanged.
//   - Synonym features weighed 0.5 (params.go); English translated, function words left out,
//     an English word given as many features as a Chinese word (word, char, bigram, pinyin
//     kinds): check my balance, cancel, help were none, now their intents. Unchanged figures.
//   - A bare amount (五万) stands for the type the examples mark it as (money) in matching:
//     bankdev2 94.5% -> 95.2%, held-out 97.7% -> 98.3%.
//   - Negation and contrast: bankdev2 95.2% -> 96.0% (its three calling-off lines), held-out
//     98.3% -> 98.5%; no out-of-scope line changed.
//   - Calibration (4 folds of the examples and the background, thresholds 0.10 to 0.60):
//     0.28 for the shipped bot (held-out folds 88.8% right, 95.7% of the background rejected);
//     bankdev2 and the held-out set unchanged. Scaling the background's score was allowed
//     for every bundle at first: the folds chose 0.7 for the shipped bot, which let 2 more of
//     bankdev2's 88 out-of-scope lines through (and 2 of the held-out set's); it is now
//     searched only for bundles of fewer than 8 examples an intent (bank K=3: 44.1% -> 47.1%).
//
// Development figures before issue 18: 5-fold cross-validation over the dialogs' own examples
// (TestBankCrossValidation) 88.0% correct (1767/2008, 155 rejected, 11 asked as ambiguous with
// the right pair); testdata/bankdev.tsv 98.9% in scope, 20/20 rejected; bankdev2.tsv 95.0%,
// 85/88 rejected. An ambiguity margin of 0.05 turned 8 wrong guesses of the cross-validation
// into questions without losing a correct answer (0.08: 17 questions but 0.3% fewer correct
// answers). A larger FAQ margin (0.08 to 0.20) moved nothing. jieba's HMM did not help (92.0%
// with it, 92.6% without, on the first dialogs) and costs time: it is off (Options.HMM).
// Cutting jieba's dictionary to its frequent words (see package jiebadict) changed no answer
// and took start-up from about 1.2 s to 0.3 s of CPU.
//
// Speed (BenchmarkUnderstand: short utterances, shipped dialogs, one core): 12 to 13 µs of CPU
// per message with entity extraction, 55,000 to 84,000 messages/s and a p99 of 62 to 72 µs of
// wall-clock time on a 2-core machine shared with other jobs (load 5), 27 allocations per call
// (was 31: exact-size rune buffers, the customer's lists shared with package entity instead
// of copied each turn). `weiyin nlu TEXT` from process start to answer: 0.5 s of CPU, 57 MB of
// RSS.
//
// # Caveats
//
// The tokeniser is process-wide and never freed (gojieba leaks when instances are freed); its
// dictionary is never modified, so one bundle's words cannot change another's results.
// Messages longer than Options.MaxRunes are cut before analysis. Confidence is a calibrated
// score, not a probability measured on data.
package intents
