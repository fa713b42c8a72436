package sandbox

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/weiyin-bank/weiyin/adapters/bank/yuan"
	"github.com/weiyin-bank/weiyin/engine"
)

// Kinds of ledger accounts.
const (
	kindCustomer = "customer" // a customer's deposit account
	kindInternal = "internal" // the bank's settlement accounts
	kindExternal = "external" // a customer's card at another bank (source of fund collection)
)

// Internal settlement accounts, credited by payments that leave the customer's deposits.
const (
	acctClearing = "int-clearing" // transfers to other banks
	acctCards    = "int-cards"    // credit card repayments
	acctWealth   = "int-wealth"   // wealth product custody
	acctTelecom  = "int-telecom"  // phone operators
	acctBillers  = "int-billers"  // utility billers
)

var internalAccounts = []struct{ id, name string }{
	{acctClearing, "跨行清算"}, {acctCards, "信用卡还款清算"}, {acctWealth, "理财资金托管"},
	{acctTelecom, "运营商结算"}, {acctBillers, "公共事业缴费结算"},
}

// ledgerAccount is any account of the ledger.
type ledgerAccount struct {
	engine.Account
	Kind    string       `json:"kind"`
	Opening engine.Money `json:"opening"` // balance at seeding
	// Spent is the sum of debits on SpentDay (YYYY-MM-DD in Shanghai), for the daily limit.
	Spent    engine.Money `json:"spent,omitempty"`
	SpentDay string       `json:"spent_day,omitempty"`
}

// day is the Shanghai calendar day of t, as the daily limit counts.
func day(t time.Time) string { return t.In(Shanghai).Format("2006-01-02") }

// spentOn is what left the account on the day of now.
func (a *ledgerAccount) spentOn(now time.Time) engine.Money {
	if a.SpentDay != day(now) {
		return 0
	}
	return a.Spent
}

// addSpent counts a debit of amount at time t.
func (a *ledgerAccount) addSpent(t time.Time, amount engine.Money) {
	a.Spent, a.SpentDay = a.spentOn(t)+amount, day(t)
}

// posting is one side of a movement (or, with History, a past entry from the fixture).
type posting struct {
	Movement     string       `json:"movement"`
	Time         time.Time    `json:"time"`
	Amount       engine.Money `json:"amount"`
	Counterparty string       `json:"counterparty"`
	Memo         string       `json:"memo,omitempty"`
	Balance      engine.Money `json:"balance"`
	History      bool         `json:"history,omitempty"`
}

func postingKey(t time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// account reads any ledger account by id.
func (r *rtx) account(id string) (*ledgerAccount, error) {
	var a ledgerAccount
	if err := r.get(bAccounts, id, &a); err != nil {
		return nil, fmt.Errorf("account %q: %w", id, err)
	}
	return &a, nil
}

// customerAccount finds the customer's own deposit account by id or number; any other
// account is ErrNotFound.
func (r *rtx) customerAccount(customer, ref string) (*ledgerAccount, error) {
	a, err := r.account(ref)
	if err != nil {
		if id := r.tx.Bucket(bNumbers).Get([]byte(ref)); id != nil {
			a, err = r.account(string(id))
		}
	}
	if err != nil || a.Kind != kindCustomer || a.Customer != customer || customer == "" {
		return nil, fmt.Errorf("account %q: %w", ref, engine.ErrNotFound)
	}
	return a, nil
}

// post appends a posting to an account and updates its balance; the caller keeps the pair
// of postings balanced.
func (r *rtx) post(a *ledgerAccount, movement string, amount engine.Money, counterparty, memo string) error {
	r.writes++
	a.Balance += amount
	if amount < 0 {
		a.addSpent(r.now, -amount)
	}
	if a.Balance < 0 {
		return fmt.Errorf("account %s: %w", a.ID, engine.ErrInsufficientFunds)
	}
	pb, err := r.tx.Bucket(bPostings).CreateBucketIfNotExists([]byte(a.ID))
	if err != nil {
		return err
	}
	seq, err := r.tx.Bucket(bPostings).NextSequence()
	if err != nil {
		return err
	}
	p := posting{Movement: movement, Time: r.now, Amount: amount, Counterparty: counterparty, Memo: memo, Balance: a.Balance}
	data, _ := json.Marshal(p)
	if err := pb.Put(postingKey(r.now, seq), data); err != nil {
		return err
	}
	return r.put(bAccounts, a.ID, a)
}

// debitable checks that amount may leave a customer account now: open, a current account,
// enough money, within today's limit.
func (r *rtx) debitable(a *ledgerAccount, amount engine.Money) error {
	switch {
	case amount <= 0:
		return fmt.Errorf("%w: amount must be positive", engine.ErrInvalid)
	case amount > yuan.Max:
		return fmt.Errorf("%w: amount too large", engine.ErrInvalid)
	case a.Frozen:
		return fmt.Errorf("account %s: %w", a.ID, engine.ErrFrozen)
	case a.Kind == kindCustomer && a.Type != "current":
		return fmt.Errorf("%w: account %s is a fixed deposit and cannot be debited", engine.ErrInvalid, a.ID)
	case a.Balance < amount:
		return fmt.Errorf("account %s: %w", a.ID, engine.ErrInsufficientFunds)
	}
	if spent := a.spentOn(r.now); a.DailyLimit > 0 && spent+amount > a.DailyLimit {
		return fmt.Errorf("account %s: %s of %s used today: %w", a.ID, yuan.Format(spent), yuan.Format(a.DailyLimit), engine.ErrOverLimit)
	}
	return nil
}

// move moves amount from one ledger account to another as a balanced pair of postings and
// returns the movement id. from must have passed debitable (or be external).
func (r *rtx) move(prefix string, from, to *ledgerAccount, amount engine.Money, fromSees, toSees, memo string) (string, error) {
	if to.Frozen {
		return "", fmt.Errorf("account %s: %w", to.ID, engine.ErrFrozen)
	}
	if from.ID == to.ID {
		return "", fmt.Errorf("%w: same account on both sides", engine.ErrInvalid)
	}
	id, err := r.nextID(prefix)
	if err != nil {
		return "", err
	}
	if err := r.post(from, id, -amount, fromSees, memo); err != nil {
		return "", err
	}
	if err := r.post(to, id, amount, toSees, memo); err != nil {
		return "", err
	}
	return id, nil
}

// payOut pays amount from the customer's account fromRef to an internal settlement account:
// the shape of every payment that leaves the customer's deposits for outside the bank.
// payee is what the customer's statement shows.
func (r *rtx) payOut(customer, fromRef string, amount engine.Money, settlement, prefix, payee, memo string) (*ledgerAccount, string, error) {
	from, err := r.customerAccount(customer, fromRef)
	if err != nil {
		return nil, "", err
	}
	if err := r.debitable(from, amount); err != nil {
		return nil, "", err
	}
	to, err := r.account(settlement)
	if err != nil {
		return nil, "", err
	}
	id, err := r.move(prefix, from, to, amount, payee, customer, memo)
	return from, id, err
}

// Audit is the ledger's state as Check saw it.
type Audit struct {
	Total     engine.Money // sum of all ledger balances now
	Seeded    engine.Money // sum at seeding
	Accounts  int
	Movements int
}

// Check verifies the ledger: the total of all balances equals the total at seeding, no
// balance is negative, every account's balance is its opening balance plus its postings and
// equals its last posting's running balance, and every movement's postings sum to zero.
// It returns ErrInconsistent (wrapped with the first violation) when one fails.
func (b *Bank) Check(ctx context.Context) (Audit, error) {
	var au Audit
	err := b.view(ctx, func(r *rtx) error {
		if v := r.tx.Bucket(bMeta).Get(kTotal); len(v) == 8 {
			au.Seeded = engine.Money(binary.BigEndian.Uint64(v))
		}
		movements := map[string]engine.Money{}
		err := each(r, bAccounts, func(id string, a ledgerAccount) error {
			au.Accounts++
			au.Total += a.Balance
			if a.Balance < 0 {
				return fmt.Errorf("%w: account %s balance %d is negative", ErrInconsistent, id, a.Balance)
			}
			sum := a.Opening
			var last *posting
			if pb := r.tx.Bucket(bPostings).Bucket([]byte(id)); pb != nil {
				err := pb.ForEach(func(k, v []byte) error {
					var p posting
					if err := json.Unmarshal(v, &p); err != nil {
						return err
					}
					if p.History {
						return nil
					}
					sum += p.Amount
					movements[p.Movement] += p.Amount
					last = &p
					return nil
				})
				if err != nil {
					return err
				}
			}
			if sum != a.Balance {
				return fmt.Errorf("%w: account %s balance %d but opening plus postings %d", ErrInconsistent, id, a.Balance, sum)
			}
			if last != nil && last.Balance != a.Balance {
				return fmt.Errorf("%w: account %s balance %d but last posting says %d", ErrInconsistent, id, a.Balance, last.Balance)
			}
			return nil
		})
		if err != nil {
			return err
		}
		au.Movements = len(movements)
		for id, s := range movements {
			if s != 0 {
				return fmt.Errorf("%w: movement %s postings sum to %d", ErrInconsistent, id, s)
			}
		}
		if au.Total != au.Seeded {
			return fmt.Errorf("%w: total %d, seeded %d", ErrInconsistent, au.Total, au.Seeded)
		}
		return nil
	})
	return au, err
}

// Seed loads f into an empty database. Seeding again with the same fixture does nothing;
// with another one it is ErrFixtureMismatch. The in-memory reference data is read again
// from the file afterwards.
func (b *Bank) Seed(f *Fixture) error {
	if err := f.validate(); err != nil {
		return err
	}
	err := b.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if h := meta.Get(kSeeded); h != nil {
			if string(h) == f.Hash() {
				return nil
			}
			return fmt.Errorf("%w (%s, not %s)", ErrFixtureMismatch, h, f.Hash())
		}
		r := &rtx{tx: tx, now: b.now()}
		if err := seed(r, f); err != nil {
			return fmt.Errorf("sandbox: seed: %w", err)
		}
		var total engine.Money
		if err := each(r, bAccounts, func(_ string, a ledgerAccount) error { total += a.Balance; return nil }); err != nil {
			return err
		}
		if err := meta.Put(kTotal, u64(uint64(total))); err != nil {
			return err
		}
		if f.OTP != "" {
			if err := meta.Put(kOTP, []byte(f.OTP)); err != nil {
				return err
			}
		}
		if err := meta.Put(kSeeded, []byte(f.Hash())); err != nil {
			return err
		}
		return r.ensureIndex()
	})
	if err != nil {
		return err
	}
	return b.loadRef()
}

// seed writes a validated fixture. Parse errors cannot happen here: validate passed.
func seed(r *rtx, f *Fixture) error {
	money := func(s string) engine.Money { m, _ := yuan.Parse(s); return m }
	when := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	names := map[string]string{}
	for _, a := range f.Advisors {
		if err := r.put(bAdvisors, a.ID, engine.Advisor{ID: a.ID, Name: a.Name, Phone: a.Phone}); err != nil {
			return err
		}
	}
	for _, c := range f.Customers {
		names[c.ID] = c.Name
		if err := r.put(bCustomers, c.ID, engine.Customer{ID: c.ID, Name: c.Name, Phone: c.Phone, WechatOpenID: c.WechatOpenID, Advisor: c.Advisor}); err != nil {
			return err
		}
		if c.WechatOpenID != "" {
			if err := r.tx.Bucket(bOpenIDs).Put([]byte(c.WechatOpenID), []byte(c.ID)); err != nil {
				return err
			}
		}
	}
	for _, in := range internalAccounts {
		a := &ledgerAccount{Account: engine.Account{ID: in.id, Type: "internal", Name: in.name, Currency: "CNY"}, Kind: kindInternal}
		if err := r.put(bAccounts, a.ID, a); err != nil {
			return err
		}
	}
	for _, fa := range f.Accounts {
		cur := fa.Currency
		if cur == "" {
			cur = "CNY"
		}
		a := ledgerAccount{Kind: kindCustomer, Account: engine.Account{ID: fa.ID, Customer: fa.Customer, Type: fa.Type, Name: fa.Name,
			Number: fa.Number, Balance: money(fa.Balance), Currency: cur, Frozen: fa.Frozen}}
		if fa.DailyLimit != "" {
			a.DailyLimit = money(fa.DailyLimit)
		}
		a.Opening = a.Balance
		if err := r.put(bAccounts, a.ID, a); err != nil {
			return err
		}
		if err := r.tx.Bucket(bNumbers).Put([]byte(a.Number), []byte(a.ID)); err != nil {
			return err
		}
	}
	// History: running balances computed backwards from the fixture's balance.
	byAcct := map[string][]FixTransaction{}
	for _, t := range f.Transactions {
		byAcct[t.Account] = append(byAcct[t.Account], t)
	}
	for _, fa := range f.Accounts { // fixture order: history ids are the same on every seeding
		id, ts := fa.ID, byAcct[fa.ID]
		if len(ts) == 0 {
			continue
		}
		sort.SliceStable(ts, func(i, j int) bool { return when(ts[i].Time).Before(when(ts[j].Time)) })
		a, err := r.account(id)
		if err != nil {
			return err
		}
		bal := a.Balance
		pb, err := r.tx.Bucket(bPostings).CreateBucketIfNotExists([]byte(id))
		if err != nil {
			return err
		}
		for i := len(ts) - 1; i >= 0; i-- {
			t := ts[i]
			seq, _ := r.tx.Bucket(bPostings).NextSequence()
			p := posting{Movement: fmt.Sprintf("H%s%06d", when(t.Time).In(Shanghai).Format("20060102"), seq), Time: when(t.Time),
				Amount: money(t.Amount), Counterparty: t.Counterparty, Memo: t.Memo, Balance: bal, History: true}
			bal -= p.Amount
			if p.Amount < 0 && day(p.Time) == day(r.now) && !p.Time.After(r.now) {
				a.addSpent(r.now, -p.Amount) // today's history counts towards today's limit
			}
			data, _ := json.Marshal(p)
			if err := pb.Put(postingKey(p.Time, seq), data); err != nil {
				return err
			}
		}
		if err := r.put(bAccounts, a.ID, a); err != nil {
			return err
		}
	}
	contacts := map[string][]engine.Contact{}
	for _, c := range f.Contacts {
		contacts[c.Customer] = append(contacts[c.Customer], engine.Contact{Customer: c.Customer, Name: c.Name, Bank: c.Bank, Account: c.Account})
	}
	for cust, cs := range contacts {
		if err := r.put(bContacts, cust, cs); err != nil {
			return err
		}
	}
	for _, c := range f.CreditCards {
		card := engine.CreditCard{ID: c.ID, Customer: c.Customer, Number: c.Number, Limit: money(c.Limit),
			StatementBalance: money(c.StatementBalance), MinimumDue: money(c.MinimumDue), DueDate: when(c.DueDate), Points: c.Points,
			AutoRepay: c.AutoRepay}
		for _, a := range f.Accounts {
			if c.AutoRepay != "" && a.ID == c.AutoRepayAccount {
				card.AutoRepayAccount = a.Number
			}
		}
		if err := r.put(bCards, c.ID, card); err != nil {
			return err
		}
		if err := r.tx.Bucket(bNumbers).Put([]byte(c.Number), []byte(c.ID)); err != nil {
			return err
		}
	}
	for _, c := range f.OtherBankCards {
		a := ledgerAccount{Kind: kindExternal, Account: engine.Account{ID: "ob-" + c.Number, Customer: c.Customer, Type: "external",
			Name: c.Bank, Number: c.Number, Balance: money(c.Balance), Currency: "CNY"}}
		a.Opening = a.Balance
		if err := r.put(bAccounts, a.ID, a); err != nil {
			return err
		}
		if err := r.put(bOBCards, c.Number, engine.OtherBankCard{Customer: c.Customer, Bank: c.Bank, Number: c.Number}); err != nil {
			return err
		}
	}
	for _, br := range f.Branches {
		if err := r.put(bBranches, br.ID, engine.Branch{ID: br.ID, Name: br.Name, District: br.District, Address: br.Address,
			Lat: br.Lat, Lng: br.Lng, Hours: br.Hours, Weekend: br.Weekend, Queue: br.Queue}); err != nil {
			return err
		}
	}
	for _, p := range f.Products {
		if err := r.put(bProducts, p.ID, engine.Product{ID: p.ID, Name: p.Name, TermDays: p.TermDays, Rate: p.Rate, Risk: p.Risk, Minimum: money(p.Minimum)}); err != nil {
			return err
		}
	}
	for _, bl := range f.Billers {
		if err := r.put(bBillers, bl.ID, engine.Biller{ID: bl.ID, Utility: bl.Utility, Name: bl.Name, AccountPattern: bl.AccountPattern}); err != nil {
			return err
		}
	}
	// Holdings are backed by the wealth custody account.
	holdings := map[string][]engine.Holding{}
	var held engine.Money
	pnames := map[string]string{}
	for _, p := range f.Products {
		pnames[p.ID] = p.Name
	}
	for _, h := range f.Holdings {
		amt := money(h.Amount)
		held += amt
		holdings[h.Customer] = addHolding(holdings[h.Customer], engine.Holding{Product: h.Product, Name: pnames[h.Product], Amount: amt, Since: when(h.Since)})
	}
	for cust, hs := range holdings {
		if err := r.put(bHoldings, cust, hs); err != nil {
			return err
		}
	}
	w, err := r.account(acctWealth)
	if err != nil {
		return err
	}
	w.Balance, w.Opening = held, held
	return r.put(bAccounts, w.ID, w)
}

// addHolding adds an amount to the customer's holding of a product, or a new holding.
func addHolding(hs []engine.Holding, h engine.Holding) []engine.Holding {
	for i := range hs {
		if hs[i].Product == h.Product {
			hs[i].Amount += h.Amount
			return hs
		}
	}
	return append(hs, h)
}

// maskNumber keeps the last four digits of a card or account number for logs.
func maskNumber(n string) string {
	if len(n) <= 4 {
		return strings.Repeat("*", len(n))
	}
	return strings.Repeat("*", len(n)-4) + n[len(n)-4:]
}
