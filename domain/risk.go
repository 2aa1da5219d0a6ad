package domain

// LegalStatus is where a company stands in law, as a risk provider reports
// it. Stored in customers.legal_status and risk_signals.legal_status.
type LegalStatus string

const (
	LegalActive       LegalStatus = "active"
	LegalSafeguard    LegalStatus = "safeguard"    // sauvegarde: proceedings to reorganise before default
	LegalReceivership LegalStatus = "receivership" // redressement judiciaire
	LegalLiquidation  LegalStatus = "liquidation"  // liquidation judiciaire
	LegalCeased       LegalStatus = "ceased"       // struck off or ceased trading
)

// LegalStatuses lists every legal status.
var LegalStatuses = []LegalStatus{LegalActive, LegalSafeguard, LegalReceivership, LegalLiquidation, LegalCeased}

// Insolvent says whether a company in status s is in insolvency proceedings:
// it must not be dunned, and its creditors declare their claims instead.
func (s LegalStatus) Insolvent() bool {
	return s == LegalSafeguard || s == LegalReceivership || s == LegalLiquidation
}

// Valid says whether s is one of LegalStatuses.
func (s LegalStatus) Valid() bool {
	for _, v := range LegalStatuses {
		if s == v {
			return true
		}
	}
	return false
}
