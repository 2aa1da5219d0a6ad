package domain

import (
	"slices"
	"time"
)

// RiskRuleKind is what a risk rule watches in a customer's observations.
// Stored in risk_rules.kind.
type RiskRuleKind string

const (
	RiskScoreDrop             RiskRuleKind = "score_drop"              // the score lost Points against the best of the Days before
	RiskRatingWorse           RiskRuleKind = "rating_worse"            // the rating is worse than the one before, on the rule's scale
	RiskLimitBelowOutstanding RiskRuleKind = "limit_below_outstanding" // the provider's recommended limit is below what the customer owes
	RiskLegalStatusChange     RiskRuleKind = "legal_status_change"     // the legal status is not the one before
)

// RiskRuleKinds lists every kind.
var RiskRuleKinds = []RiskRuleKind{RiskScoreDrop, RiskRatingWorse, RiskLimitBelowOutstanding, RiskLegalStatusChange}

// DefaultRatingScale is the rating scale, best to worst, of an entity that
// set none.
var DefaultRatingScale = []string{"AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"}

// MaxConsecutive bounds RiskCondition.Consecutive.
const MaxConsecutive = 5

// RiskObservation is one matched risk signal of a customer, as the rules
// read it: a field a provider did not send is nil or "".
type RiskObservation struct {
	SignalID      int64
	At            time.Time
	Score         *int
	Rating        string
	LimitMinor    *int64
	LimitCurrency string
	LegalStatus   LegalStatus
}

// RiskCondition is a rule's condition: its kind, its parameters and how many
// observations in a row must show it.
type RiskCondition struct {
	Kind        RiskRuleKind
	Points      int      // score_drop
	Days        int      // score_drop
	Scale       []string // rating_worse, best to worst
	Consecutive int      // 1..MaxConsecutive; 0 is 1
}

// Fires says whether the last of history (a customer's observations, oldest
// first) completes the condition, so that the rule raises its alert on it
// and only on it: once per episode, not again on each later observation
// that still shows it. Only observations carrying the field the rule reads
// count; the last one must carry it. outstanding is what the customer owes
// now, in currency.
//
// score_drop and limit_below_outstanding are states: they fire on the
// observation that makes Consecutive in a row hold, not on the ones after.
// rating_worse and legal_status_change compare with the observation before
// the run (the baseline; a legal status with none is active), so a new
// downgrade or a new status is a new episode.
func (c RiskCondition) Fires(history []RiskObservation, outstanding int64, currency string) bool {
	if len(history) == 0 || !c.reads(history[len(history)-1]) {
		return false
	}
	obs := make([]RiskObservation, 0, len(history))
	for _, o := range history {
		if c.reads(o) {
			obs = append(obs, o)
		}
	}
	end := len(obs) - 1
	switch c.Kind {
	case RiskScoreDrop, RiskLimitBelowOutstanding:
		return c.complete(obs, end, outstanding, currency) && !c.complete(obs, end-1, outstanding, currency)
	}
	return c.complete(obs, end, outstanding, currency)
}

func (c RiskCondition) consecutive() int { return max(c.Consecutive, 1) }

// reads says whether o carries the field the condition reads.
func (c RiskCondition) reads(o RiskObservation) bool {
	switch c.Kind {
	case RiskScoreDrop:
		return o.Score != nil
	case RiskRatingWorse:
		return o.Rating != ""
	case RiskLimitBelowOutstanding:
		return o.LimitMinor != nil
	case RiskLegalStatusChange:
		return o.LegalStatus != ""
	}
	return false
}

// complete says whether the Consecutive observations ending at obs[end] all
// show the condition.
func (c RiskCondition) complete(obs []RiskObservation, end int, outstanding int64, currency string) bool {
	n := c.consecutive()
	start := end - n + 1
	if start < 0 {
		return false
	}
	for i := start; i <= end; i++ {
		if !c.holds(obs, i, start, outstanding, currency) {
			return false
		}
	}
	return true
}

// holds says whether obs[i] shows the condition, obs[start-1] being the
// baseline of the run that starts at start.
func (c RiskCondition) holds(obs []RiskObservation, i, start int, outstanding int64, currency string) bool {
	o := obs[i]
	switch c.Kind {
	case RiskScoreDrop:
		from := o.At.AddDate(0, 0, -c.Days)
		best, found := 0, false
		for j := i - 1; j >= 0 && !obs[j].At.Before(from); j-- {
			if !found || *obs[j].Score > best {
				best, found = *obs[j].Score, true
			}
		}
		return found && best-*o.Score >= c.Points
	case RiskLimitBelowOutstanding:
		return o.LimitCurrency == currency && *o.LimitMinor < outstanding
	case RiskRatingWorse:
		if start == 0 {
			return false // nothing to compare with
		}
		before, now := slices.Index(c.Scale, obs[start-1].Rating), slices.Index(c.Scale, o.Rating)
		return before >= 0 && now > before
	case RiskLegalStatusChange:
		before := LegalActive
		if start > 0 {
			before = obs[start-1].LegalStatus
		}
		return o.LegalStatus != before
	}
	return false
}
