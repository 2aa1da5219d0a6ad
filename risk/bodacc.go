package risk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"recoup/domain"
	"recoup/dunning"
)

// BODACC reads the records of the French Bulletin officiel des annonces
// civiles et commerciales, as its open data API publishes them (dataset
// "annonces-commerciales", https://bodacc-datadila.opendatasoft.com/explore/dataset/annonces-commerciales/api/):
// the API's answer {"total_count": n, "results": [record, ...]}, a bare
// array of records, or one record. A poller or relay posts them as they are.
//
// A record of family "collective" (procédures collectives) whose judgment
// ("jugement", a JSON object or a string holding one, as the API serves it)
// opens or converts proceedings gives the company's legal status: safeguard
// (sauvegarde), receivership (redressement judiciaire), liquidation
// (liquidation judiciaire); a closing for lack of assets (clôture pour
// insuffisance d'actif) and a record of family "radiation" give ceased, a
// closing once the debts are paid (extinction du passif) active. Every other
// record (sales, filings of accounts, other judgments) is skipped. The
// company is its SIREN, from "registre"; the signal is observed and
// published on "dateparution", the date the French 2-month claim deadline
// runs from; its event id is the record's "id".
type BODACC struct{}

type bodaccRecord struct {
	ID           string          `json:"id"`
	DateParution string          `json:"dateparution"`
	FamilleAvis  string          `json:"familleavis"`
	Commercant   string          `json:"commercant"`
	Registre     json.RawMessage `json:"registre"`
	Jugement     json.RawMessage `json:"jugement"`
}

type bodaccJugement struct {
	Famille string `json:"famille"`
	Nature  string `json:"nature"`
	Date    string `json:"date"`
}

// Parse reads BODACC records.
func (BODACC) Parse(body []byte) ([]Signal, error) {
	records, err := bodaccRecords(body)
	if err != nil {
		return nil, domain.FieldError("body", "%v", err)
	}
	if len(records) > MaxSignals {
		return nil, domain.FieldError("results", "%d records: at most %d in one body", len(records), MaxSignals)
	}
	var out []Signal
	var errs []error
	for i, raw := range records {
		var r bodaccRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			errs = append(errs, domain.FieldError(fmt.Sprintf("results[%d]", i), "not a BODACC record: %v", err))
			continue
		}
		st, ok := r.status()
		if !ok {
			continue
		}
		s, err := r.signal(st, fmt.Sprintf("results[%d].", i))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Payload = raw
		out = append(out, s)
	}
	if err := domain.Invalid(errs...); err != nil {
		return nil, err
	}
	return out, checkAll(out)
}

// bodaccRecords finds the records in the API's answer, an array or one record.
func bodaccRecords(body []byte) ([]json.RawMessage, error) {
	b := bytes.TrimSpace(body)
	switch {
	case len(b) == 0:
		return nil, fmt.Errorf("empty body")
	case b[0] == '[':
		var list []json.RawMessage
		err := json.Unmarshal(b, &list)
		return list, err
	}
	var answer struct {
		Results *[]json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(b, &answer); err != nil {
		return nil, err
	}
	if answer.Results != nil {
		return *answer.Results, nil
	}
	return []json.RawMessage{b}, nil
}

// status is the legal status a record announces, if it announces one.
func (r bodaccRecord) status() (domain.LegalStatus, bool) {
	switch strings.ToLower(r.FamilleAvis) {
	case "radiation":
		return domain.LegalCeased, true
	case "collective":
	default:
		return "", false
	}
	j, ok := r.jugement()
	if !ok {
		return "", false
	}
	n := strings.ToLower(j.Nature)
	switch {
	case strings.Contains(n, "clôture") || strings.Contains(n, "cloture"):
		switch {
		case strings.Contains(n, "insuffisance d'actif"), strings.Contains(n, "insuffisance d’actif"):
			return domain.LegalCeased, true
		case strings.Contains(n, "extinction du passif"):
			return domain.LegalActive, true
		}
		return "", false
	// Conversion into liquidation names the receivership it ends: liquidation first.
	case strings.Contains(n, "liquidation judiciaire"):
		return domain.LegalLiquidation, true
	case strings.Contains(n, "redressement judiciaire"):
		return domain.LegalReceivership, true
	case strings.Contains(n, "sauvegarde"):
		return domain.LegalSafeguard, true
	}
	return "", false
}

// jugement decodes the judgment, served as a JSON string or an object.
func (r bodaccRecord) jugement() (bodaccJugement, bool) {
	var j bodaccJugement
	raw := bytes.TrimSpace(r.Jugement)
	if len(raw) == 0 || string(raw) == "null" {
		return j, false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return j, false
		}
		raw = []byte(s)
	}
	return j, json.Unmarshal(raw, &j) == nil && j.Nature != ""
}

// siren is the record's company: the first 9-digit number of "registre"
// (a list such as ["894 670 793", "894670793"], or one string).
func (r bodaccRecord) siren() string {
	var list []string
	if json.Unmarshal(r.Registre, &list) != nil {
		var one string
		if json.Unmarshal(r.Registre, &one) != nil {
			return ""
		}
		list = strings.Split(one, ",")
	}
	for _, v := range list {
		id := NormaliseCompanyID(IDRegistration, v)
		if len(id) == 9 && strings.Trim(id, "0123456789") == "" {
			return id
		}
	}
	return ""
}

func (r bodaccRecord) signal(st domain.LegalStatus, prefix string) (Signal, error) {
	s := Signal{EventID: r.ID, CompanyID: r.siren(), CompanyIDKind: IDRegistration,
		CompanyName: strings.TrimSpace(r.Commercant), LegalStatus: st}
	if s.CompanyID == "" {
		return s, domain.FieldError(prefix+"registre", "no SIREN (9 digits) in %s", string(r.Registre))
	}
	d, err := dunning.ParseDate(r.DateParution)
	if err != nil {
		return s, domain.FieldError(prefix+"dateparution", "%v", err)
	}
	s.PublishedOn = d
	s.ObservedAt = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return s, nil
}
