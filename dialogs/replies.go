package dialogs

import (
	"slices"
	"strings"
)

// DefaultReplies are the engine's own words for the reserved replies a bundle may leave out.
// Staff change any of them by declaring a reply of the same name (`reply bad_code "..."`);
// `{name}` placeholders take the values the engine passes. Required reserved replies
// (greeting, help, fallback ...) are checked by the dialog checker and have no default here.
var DefaultReplies = map[string]string{
	"cancelled":         "好的,已为您取消。",
	"nothing_to_cancel": "当前没有正在办理的业务,无需取消。",
	"resume":            "刚才的“{flow}”还没办完,要继续吗?回复“继续”或“取消”。",
	"timeout":           "由于长时间没有操作,刚才的业务已自动结束。如需办理请重新告诉我。",
	"unbound":           "您还没有绑定微银银行账户,暂时不能办理这项业务。回复“绑定”即可开始绑定。",
	"ambiguous":         "您是想办理下面哪一项?请回复序号:",
	"handoff":           "正在为您转接人工客服,请稍候。",
	"error":             "抱歉,系统开小差了,业务没有办理成功,请稍后再试。如有疑问可回复“人工”。",
	"voice_empty":       "抱歉,没有听清您的语音,请再说一次或直接输入文字。",
	"unsupported":       "暂时只能处理文字和语音消息,请直接输入您要办理的业务。",

	"unavailable":      "抱歉,银行系统暂时无法提供服务,您的业务没有办理。请稍后再试,紧急情况请拨打24小时客服热线。",
	"not_done":         "抱歉,系统繁忙,这笔业务没有办理,资金未发生变动。请稍后重新办理。",
	"pending_check":    "银行系统暂时没有返回结果,这笔业务的结果正在确认中,请勿重复办理。稍后回复任意消息查看结果。",
	"pending_unknown":  "您之前的一笔业务结果需要人工确认,请查询账户明细或回复“人工”,请勿重复办理。",
	"flow_updated":     "业务流程刚刚更新,为确保信息准确,我们重新确认一下。",
	"readback_changed": "已按您的要求修改,请重新确认:",
	"confirm_again":    "请回复“确认”继续办理,或回复“取消”放弃。",
	"code_again":       "请输入短信中的6位数字验证码,或回复“取消”放弃。",
	"bad_code":         "验证码不正确,请重新输入短信验证码。",
	"code_locked":      "验证码错误次数过多,本次操作已取消。为了您的资金安全,请稍后再试。",
	"not_understood":   "抱歉,没有听懂。",
	"gave_up":          "抱歉,这次没能帮您办好,本次办理已结束。需要时可以重新开始,或回复“转人工”。",
	"pick_range":       "请回复1到{max}之间的序号。",
	"offer_service":    "如需{service},请回复“{service}”。",
	"self_payee":       "转账只能从您本人的账户转给收款人,不能从别人的账户转给您。如需收款,请让对方向您转账;把您在他行卡里的钱转进来,请说“资金归集”。",
	"others_data":      "为保护客户隐私,我只能查询您本人名下的账户信息,无法查询{person}的账户。如需查询,请对方本人绑定后办理。",
	"foreign_currency": "微信银行目前只能办理人民币业务,无法按{currency}办理。请告诉我人民币金额,例如:500元。",

	"error_insufficient_funds":    "账户余额不足,业务未办理。请换个金额或换个账户。",
	"error_over_limit":            "已超过当日限额,请减少金额或明天再试。",
	"error_account_frozen":        "该账户处于冻结状态,无法办理。请换一个账户,或回复“人工”。",
	"error_fixed_account":         "定期账户不能直接转出,请选择一个活期账户。",
	"error_below_minimum":         "金额低于产品起购金额,请重新输入金额。",
	"error_closed":                "该网点这个时间不营业,请换个时间。",
	"error_past":                  "这个时间已经过去了,请换个时间。",
	"error_nothing_due":           "您当前没有需要还款的账单。",
	"error_no_credit_card":        "您名下还没有微银银行信用卡。如需申请,请回复“办信用卡”。",
	"error_unknown_payee":         "没有找到这位收款人,请重新选择。",
	"error_invalid":               "信息有误,请重新输入。",
	"error_not_found":             "没有找到相关信息,请核对后重试。",
	"error_not_eligible":          "很抱歉,根据银行的审核规则,您暂时不符合申请条件。如有疑问请回复“人工”。",
	"error_unknown_biller":        "没有查到这个户号对应的缴费单位,请核对户号后重试。",
	"error_no_match":              "银行卡号和预留手机号不一致,请核对后重试。",
	"error_already_frozen":        "这张卡已经是挂失/冻结状态,无需重复操作。",
	"error_unknown_card":          "没有找到这张卡,请核对后重试。",
	"error_slot_taken":            "这个时段已经约满了,请换个时间。",
	"error_unknown_booking":       "没有找到这个预约,可能已经取消或已过期。",
	"error_no_advisor":            "您暂时还没有专属理财经理。如需理财咨询,可以回复“预约网点”到网点咨询。",
	"error_invalid_phone":         "这个手机号码不正确,请核对后重新输入。",
	"error_verification_required": "为了您的资金安全,需要重新确认并验证后才能办理。",
	"error_too_many_codes":        "验证码发送过于频繁,请稍后再试。",
}

// IsReservedReply reports whether a reply name is one the engine says itself: a required one
// (greeting, fallback ...), one with a default (DefaultReplies), the reply a flow gives an
// unbound customer (unbound_FLOW), the reply when none of the values a question lists is one it
// accepts (no_choice_FLOW) or the reply to an error code a call may fail with (error_CODE,
// ErrorCodes of the default catalogue or a stub's own).
func (b *Bundle) IsReservedReply(name string) bool {
	if slices.Contains(reservedReplies, name) {
		return true
	}
	if _, ok := DefaultReplies[name]; ok {
		return true
	}
	for _, prefix := range flowReplyPrefixes {
		if flow, ok := strings.CutPrefix(name, prefix); ok {
			return b.Flows[flow] != nil
		}
	}
	if code, ok := strings.CutPrefix(name, ErrorReplyPrefix); ok {
		if slices.Contains(ErrorCodes(DefaultCatalogue()), code) {
			return true
		}
		for _, st := range b.Stubs {
			if slices.Contains(st.Op.Errors, code) {
				return true
			}
		}
	}
	return false
}
