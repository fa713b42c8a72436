package transcript

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
)

// fakeBot is a tiny scripted banking bot for tests: balance, a transfer flow with confirm and
// verify, a clock query and idempotent message ids.
type fakeBot struct {
	mu      sync.Mutex
	clock   *enginetest.Clock
	as      string
	step    string
	replies map[string]engine.Reply // by message id
	balance engine.Money
}

func newFakeFactory() Factory {
	return func(ctx context.Context, s Settings) (Bot, func(), error) {
		if s.User == "o_broken" {
			return nil, nil, errors.New("no such fixture")
		}
		return &fakeBot{clock: s.Clock, as: s.As, replies: map[string]engine.Reply{}, balance: 100000}, func() {}, nil
	}
}

func (b *fakeBot) Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := b.replies[m.ID]; ok && m.ID != "" {
		return r, nil
	}
	r := b.turn(user, m)
	b.replies[m.ID] = r
	return r, nil
}

func (b *fakeBot) turn(user string, m engine.Message) engine.Reply {
	t := strings.TrimSpace(m.Text)
	switch {
	case m.Kind == "location":
		return engine.Reply{Texts: []string{fmt.Sprintf("离您最近的网点: %s", m.Label)}, Intent: "branch_search"}
	case m.Kind == "event":
		return engine.Reply{Texts: []string{"您好,我是微银智能助手。"}, Intent: "greet"}
	case t == "几点了":
		return engine.Reply{Texts: []string{"现在是" + b.clock.Now().Format("15:04")}, Intent: "none"}
	case t == "我是谁":
		return engine.Reply{Texts: []string{"您是" + user + "/" + b.as}, Intent: "none"}
	case strings.Contains(t, "余额") || strings.Contains(t, "鱼额") || strings.Contains(t, "餘額"):
		return engine.Reply{Texts: []string{fmt.Sprintf("您的活期账户(尾号1234)余额为¥%d.00", b.balance/100)}, Intent: "balance", Confidence: 0.93}
	case t == "取消":
		b.step = ""
		return engine.Reply{Texts: []string{"好的,已取消。"}, Intent: "cancel", Confidence: 1}
	case b.step == "":
		if strings.Contains(t, "转") {
			b.step = "payee"
			return engine.Reply{Texts: []string{"请问要转给哪位联系人?"}, Intent: "transfer", Confidence: 0.9, Flow: "transfer", Step: "payee"}
		}
		return engine.Reply{Texts: []string{"抱歉,我没有听懂。", "您可以说\"查余额\"或\"转账\"。"}, Intent: "none"}
	case b.step == "payee":
		b.step = "amount"
		return engine.Reply{Texts: []string{"转多少钱?"}, Intent: "transfer", Flow: "transfer", Step: "amount",
			Entities: []engine.ReplyEntity{{Type: "contact", Value: "张三", Text: t}}}
	case b.step == "amount":
		b.step = "confirm"
		return engine.Reply{Texts: []string{"向张三(尾号5678)转账¥500.00,确认吗?"}, Intent: "transfer", Flow: "transfer", Step: "confirm",
			Buttons: []string{"确认", "取消"}, Entities: []engine.ReplyEntity{{Type: "money", Value: "500.00", Text: t}}}
	case b.step == "confirm":
		b.step = "verify"
		return engine.Reply{Texts: []string{"验证码已发送到您尾号8888的手机,请输入6位验证码"}, Intent: "affirm", Flow: "transfer", Step: "verify"}
	case b.step == "verify":
		if t != "123456" {
			return engine.Reply{Texts: []string{"验证码不正确,请重新输入"}, Intent: "none", Flow: "transfer", Step: "verify"}
		}
		b.step = ""
		b.balance -= 50000
		return engine.Reply{Texts: []string{"转账成功!流水号T0001,账户6222020200001234剩余¥500.00"}, Intent: "none"}
	}
	return engine.Reply{Intent: "none"}
}
