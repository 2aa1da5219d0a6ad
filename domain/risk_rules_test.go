package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recoup/domain"
)

// obs builds a history from one-field observations, a day apart, oldest first.
type obs struct {
	score  *int
	rating string
	limit  *int64
	legal  domain.LegalStatus
}

func history(list ...obs) []domain.RiskObservation {
	start := time.Date(2026, time.March, 1, 9, 0, 0, 0, time.UTC)
	out := make([]domain.RiskObservation, len(list))
	for i, o := range list {
		out[i] = domain.RiskObservation{SignalID: int64(i + 1), At: start.AddDate(0, 0, i), Score: o.score, Rating: o.rating,
			LimitMinor: o.limit, LimitCurrency: "EUR", LegalStatus: o.legal}
	}
	return out
}

func sc(v int) obs                { return obs{score: &v} }
func rt(r string) obs             { return obs{rating: r} }
func lim(v int64) obs             { return obs{limit: &v} }
func lg(s domain.LegalStatus) obs { return obs{legal: s} }

func TestRiskConditionFires(t *testing.T) {
	t.Parallel()
	drop := domain.RiskCondition{Kind: domain.RiskScoreDrop, Points: 20, Days: 5}
	drop2 := drop
	drop2.Consecutive = 2
	worse := domain.RiskCondition{Kind: domain.RiskRatingWorse, Scale: domain.DefaultRatingScale}
	below := domain.RiskCondition{Kind: domain.RiskLimitBelowOutstanding}
	legal := domain.RiskCondition{Kind: domain.RiskLegalStatusChange}
	tests := []struct {
		name string
		c    domain.RiskCondition
		h    []domain.RiskObservation
		want bool
	}{
		{"a drop of 20 points fires", drop, history(sc(80), sc(60)), true},
		{"19 points do not", drop, history(sc(80), sc(61)), false},
		{"the same episode fires once", drop, history(sc(80), sc(60), sc(58)), false},
		{"the best score is looked for over the days", drop, history(sc(80), sc(75), sc(70), sc(59)), true},
		{"a score older than the days is forgotten", drop, history(sc(80), sc(70), sc(70), sc(70), sc(70), sc(70), sc(70), sc(55)), false},
		{"within the days it counts", drop, history(sc(80), sc(70), sc(55)), true},
		{"the last observation must carry a score", drop, history(sc(80), sc(50), rt("A")), false},
		{"consecutive 2: not on the first", drop2, history(sc(80), sc(50)), false},
		{"consecutive 2: on the second", drop2, history(sc(80), sc(50), sc(55)), true},
		{"consecutive 2: the run broken", drop2, history(sc(80), sc(50), sc(79), sc(55)), false},
		{"a downgrade fires", worse, history(rt("A"), rt("BBB")), true},
		{"an upgrade does not", worse, history(rt("BBB"), rt("A")), false},
		{"a first rating has nothing to compare with", worse, history(rt("D")), false},
		{"a rating off the scale does not", worse, history(rt("A"), rt("Z")), false},
		{"the same low rating again does not", worse, history(rt("A"), rt("B"), rt("B")), false},
		{"a limit below the outstanding fires", below, history(lim(2000), lim(500)), true},
		{"still below: once", below, history(lim(500), lim(400)), false},
		{"a limit above does not", below, history(lim(5000)), false},
		{"a status change fires", legal, history(lg(domain.LegalActive), lg(domain.LegalCeased)), true},
		{"a first status other than active is a change", legal, history(lg(domain.LegalSafeguard)), true},
		{"the same status again is not", legal, history(lg(domain.LegalCeased), lg(domain.LegalCeased)), false},
		{"a second change is a new episode", legal, history(lg(domain.LegalActive), lg(domain.LegalSafeguard), lg(domain.LegalLiquidation)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.c.Fires(tt.h, 1000, "EUR"))
		})
	}
}
