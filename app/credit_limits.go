package app

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"recoup/auth"
	"recoup/domain"
	"recoup/store"
)

// Credit limits and holds (README "Credit limits and holds").

// CreditHoldRequest puts an account on credit hold: a person says why.
type CreditHoldRequest struct {
	Reason string `json:"reason"`
}

// PlaceCreditHold puts the account on credit hold by a person, with a
// reason (journaled "customer.credit_hold"): sales see "do not ship" until
// ReleaseCreditHold. The same permission as the release (dunning.control).
// Already on hold: CodeConflict. The account is woken: its status changed.
func (a *App) PlaceCreditHold(ctx context.Context, who domain.Principal, customerID int64, req CreditHoldRequest) (store.CreditStatus, error) {
	if err := a.visibleCustomer(ctx, who, auth.DunningControl, customerID); err != nil {
		return store.CreditStatus{}, err
	}
	reason, err := validReason(req.Reason)
	if err != nil {
		return store.CreditStatus{}, err
	}
	if _, err := a.store.PlaceCreditHold(ctx, customerID, reason, who.Actor()); err != nil {
		return store.CreditStatus{}, err
	}
	a.AccountsChanged(ctx, Change{CustomerIDs: []int64{customerID}})
	return a.store.CreditStatus(ctx, perimeter(who), customerID)
}

// CreditStatus is the account's credit hold, legal status and the risk
// provider's recommended limit; not found outside who's perimeter.
func (a *App) CreditStatus(ctx context.Context, who domain.Principal, customerID int64) (store.CreditStatus, error) {
	if err := allow(who, auth.AccountsRead); err != nil {
		return store.CreditStatus{}, err
	}
	return a.store.CreditStatus(ctx, perimeter(who), customerID)
}

// limitUseChanged evaluates the credit limit thresholds of accounts whose
// figures just changed (their change is committed), or of every account with
// a limit when all (a customers import may change limits and open orders
// anywhere: one set-based statement, about 2 s at 100,000 accounts). A
// failure is logged, not returned: the change stands, and the daily sweep
// catches up.
func (a *App) limitUseChanged(ctx context.Context, ids []int64, all bool) {
	alerts, err := a.store.EvaluateLimitUse(ctx, ids, all)
	if err != nil {
		a.log.ErrorContext(ctx, "credit limit thresholds", "accounts", len(ids), "err", err)
		return
	}
	for _, al := range alerts {
		a.log.InfoContext(ctx, "credit limit threshold crossed", "customer", al.Alert.CustomerID, "threshold", al.Threshold,
			"episode", al.Episode, "alert", al.Alert.ID, "notified", al.Notified)
	}
}

// MaxCreditLimitThresholds bounds an entity's thresholds; each is a whole
// percent from 1 to 1000.
const MaxCreditLimitThresholds = 5

// ParseThresholds reads thresholds as a person types them ("80, 100", "80
// 100 %"): whole percents, sorted, each once; "" is none (no alert).
func ParseThresholds(v string) ([]int, error) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '%' })
	out := make([]int, 0, len(fields))
	for _, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, domain.FieldError("credit_limit_thresholds", "%q: want whole percents such as 80, 100", f)
		}
		out = append(out, n)
	}
	return checkThresholds(out)
}

func checkThresholds(t []int) ([]int, error) {
	out := slices.Clone(t)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxCreditLimitThresholds {
		return nil, domain.FieldError("credit_limit_thresholds", "%d thresholds: at most %d", len(out), MaxCreditLimitThresholds)
	}
	for _, n := range out {
		if n < 1 || n > 1000 {
			return nil, domain.FieldError("credit_limit_thresholds", "%d: want a percent from 1 to 1000", n)
		}
	}
	if out == nil {
		out = []int{}
	}
	return out, nil
}

// FormatThresholds writes thresholds the way ParseThresholds reads them.
func FormatThresholds(t []int) string {
	s := make([]string, len(t))
	for i, n := range t {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
