package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Unchaseable is an account with open items that automatic reminders cannot
// reach, and why (the daily digest's second half).
type Unchaseable struct {
	CustomerID int64    `json:"customer_id"`
	Name       string   `json:"name"`
	Entity     string   `json:"entity"`
	Reasons    []string `json:"reasons"`
}

// accountsToChase are the accounts with open invoices inside the perimeter,
// with what their gates say.
const accountsToChase = `
SELECT c.id, c.name, e.id, e.code, e.sending, e.test_address = '',
       c.email = '', c.email_invalid_at IS NOT NULL,
       c.phone = '', c.phone_invalid_at IS NOT NULL,
       coalesce(c.sms_consent, e.sms_consent_default) AND c.sms_opted_out_at IS NULL,
       coalesce(c.voice_consent, e.voice_consent_default) AND c.voice_opted_out_at IS NULL
FROM customers c JOIN entities e ON e.id = c.entity_id
WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = c.id AND i.type = 'invoice' AND i.status = 'open' AND i.open_minor > 0)
  AND ` + perimeterClause + `
ORDER BY e.code, c.name, c.id
LIMIT @limit`

// AccountsToChase lists up to limit accounts with open invoices in the
// perimeter (ids, for the digest's calendar) and those of them that cannot
// be chased, with the reasons.
func (s *Store) AccountsToChase(ctx context.Context, per Perimeter, limit int, now time.Time) (ids []int64, blocked []Unchaseable, err error) {
	rows, err := s.Pool.Query(ctx, accountsToChase, per.args(pgx.NamedArgs{"limit": limit}))
	if err != nil {
		return nil, nil, err
	}
	type row struct {
		u                                 Unchaseable
		entityID                          int64
		sending                           Sending
		noTestAddr, noEmail, emailBad     bool
		noPhone, phoneBad, smsOK, voiceOK bool
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.u.CustomerID, &r.u.Name, &r.entityID, &r.u.Entity, &r.sending, &r.noTestAddr,
			&r.noEmail, &r.emailBad, &r.noPhone, &r.phoneBad, &r.smsOK, &r.voiceOK); err != nil {
			rows.Close()
			return nil, nil, err
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	stale := map[int64]string{}
	for _, r := range all {
		ids = append(ids, r.u.CustomerID)
		why, seen := stale[r.entityID]
		if !seen {
			if why, err = s.StaleData(ctx, r.entityID, now); err != nil {
				return nil, nil, err
			}
			stale[r.entityID] = why
		}
		u := r.u
		switch {
		case r.sending == SendingOff:
			u.Reasons = append(u.Reasons, "sending is off for entity "+u.Entity)
		case r.sending == SendingTest && r.noTestAddr:
			u.Reasons = append(u.Reasons, "entity "+u.Entity+" is in test mode without a test address")
		case r.sending == SendingTest:
			u.Reasons = append(u.Reasons, "entity "+u.Entity+" is in test mode: messages go to its test address")
		}
		if why != "" {
			u.Reasons = append(u.Reasons, why)
		}
		emailOK := !r.noEmail && !r.emailBad
		phoneOK := !r.noPhone && !r.phoneBad && (r.smsOK || r.voiceOK)
		if !emailOK && !phoneOK {
			u.Reasons = append(u.Reasons, "no usable contact: "+contactWhy(r.noEmail, r.emailBad, r.noPhone, r.phoneBad))
		}
		if len(u.Reasons) > 0 {
			blocked = append(blocked, u)
		}
	}
	return ids, blocked, nil
}

func contactWhy(noEmail, emailBad, noPhone, phoneBad bool) string {
	email := "no email"
	if !noEmail && emailBad {
		email = "email marked invalid"
	}
	phone := "no consent to texts or calls"
	switch {
	case noPhone:
		phone = "no phone"
	case phoneBad:
		phone = "phone marked invalid"
	}
	return email + ", " + phone
}
