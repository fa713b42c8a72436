// Package normalize turns a customer's raw message into the canonical text the NLU works on,
// keeping a map from every normalised rune back to the original text.
//
// # Basics
//
// Normalize runs, in one pass each: invalid UTF-8 replaced by U+FFFD, control and format
// characters removed, full-width ASCII folded to half-width, ASCII lower-cased, traditional
// Chinese converted to simplified (OpenCC t2s, only on runs that hold a convertible
// character), banking variants (帐户 -> 账户, 咭 -> 卡), Chinese punctuation and emoji mapped to
// spaces, repeats collapsed (啊啊啊 -> 啊, !!! -> !; never digits, never 谢谢/看看), 幺 read as
// 一 inside spoken digit strings, and filler words (嗯, 呃, 那个 at the head of a clause...)
// dropped. Every step is linear in the input.
//
// Traditional to simplified conversion is OpenCC's, built once from the dictionaries the
// pinned github.com/longbridgeapp/opencc embeds, with the files in dict/ laid over them stage
// by stage as OpenCC layers its own (longest phrase first, then the character table). The
// overlays bring the library's old data up to current upstream OpenCC where it matters: 擡 ->
// 抬, tw2s keeping 什么/怎么 (never 什幺), 乾 kept in names and places, 昇/甦/祕/脩/蒐/釐/氾 kept
// in names and converted in words, and 帳 -> 账 in money words (帳戶 -> 账户). Each overlay
// line is a character's rule or one of its exceptions; see dict/TSExtra.txt.
//
// Text.Map and Text.OrigEnd give, for each rune of Norm, the half-open rune range of the
// original it came from, so an entity found in Norm can be reported with the customer's own
// words: original[Map[i]:OrigEnd[j-1]].
//
// # Caveats
//
// Offsets are rune offsets, never byte offsets. Filler removal is deliberately conservative: a
// word is only dropped where it cannot be part of a longer word (这个月, 第二个, 哪个 stay).
// 两 is kept as written: number parsers read it as 2.
//
// Conversion applies only to a text holding a traditional-only character (one the character
// tables change, or keep as traditional like 剋): OpenCC assumes traditional input, and a few
// of its phrases read otherwise as simplified text (simplified 打坏 "broke" is traditional 打坯
// "adobe"). A traditional text written only with characters shared by both scripts (沈默) is
// therefore left as written. Normalize uses t2s, not tw2s: Taiwan's variant stage would turn
// simplified 显著 into 显着, so Taiwan's 著 (著急) stays 著.
package normalize
