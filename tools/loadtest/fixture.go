package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
)

// userID is simulated user u's openid.
func userID(u int) string { return fmt.Sprintf("o_load_%04d", u) }

// writeFixture writes a sandbox fixture for `weiyin serve --fixture`: the embedded demo data
// plus one bank customer bound to each simulated user, with a current account, its recent
// movements and a credit card, so that the load's balance, statement and card questions run
// the bank's reads as a bound customer's do (an unbound user gets the binding prompt instead).
func writeFixture(path string, users int) error {
	f := sandbox.Demo()
	for u := range users {
		cust, acct, card := fmt.Sprintf("L%05d", u), fmt.Sprintf("LA%05d", u), fmt.Sprintf("LC%05d", u)
		f.Customers = append(f.Customers, sandbox.FixCustomer{ID: cust, Name: fmt.Sprintf("客户%05d", u),
			Phone: fmt.Sprintf("139%08d", u), WechatOpenID: userID(u)})
		f.Accounts = append(f.Accounts, sandbox.FixAccount{ID: acct, Customer: cust, Type: "current",
			Name: "活期储蓄", Number: fmt.Sprintf("62178802%08d", u), Balance: fmt.Sprintf("%d.%02d", 1000+u*37%90000, u%100),
			Currency: "CNY", DailyLimit: "50000.00"})
		for k, tx := range []struct{ amount, who, memo string }{
			{"18500.00", "上海某科技有限公司", "工资"}, {"-3200.00", "物业管理处", "房租"},
			{"-86.50", "便利店", "消费"}, {"-1200.00", "信用卡还款", "还款"}, {"200.00", "张三", "转账"},
		} {
			f.Transactions = append(f.Transactions, sandbox.FixTransaction{Account: acct,
				Time: fmt.Sprintf("2026-11-%02dT10:00:00+08:00", 1+k*4), Amount: tx.amount, Counterparty: tx.who, Memo: tx.memo})
		}
		f.CreditCards = append(f.CreditCards, sandbox.FixCreditCard{ID: card, Customer: cust,
			Number: fmt.Sprintf("62588802%08d", u), Limit: "30000.00", StatementBalance: "2650.40",
			MinimumDue: "265.04", DueDate: "2026-12-10T00:00:00+08:00", Points: int64(1000 + u)})
	}
	raw, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	if _, err := sandbox.LoadFixture(bytes.NewReader(raw)); err != nil { // as serve will read it
		return fmt.Errorf("-fixture: %w", err)
	}
	return os.WriteFile(path, raw, 0o644)
}
