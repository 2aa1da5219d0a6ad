package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/history"
)

type historyView struct {
	CustomerID int64           `json:"customer_id"`
	Workflow   string          `json:"workflow_history"` // complete, none, or why it is missing
	Truncated  bool            `json:"truncated"`
	Entries    []history.Entry `json:"entries"`
}

// customerHistory is the compliance timeline of one account, as JSON or CSV.
func (s *Server) customerHistory(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := queryParams(c, "from", "to", "kind", "format"); err != nil {
		return err
	}
	csv := false
	switch c.Query("format") {
	case "", "json":
	case "csv":
		csv = true
	default:
		return domain.FieldError("format", "%q: want json or csv", c.Query("format"))
	}
	ctx := c.Request.Context()
	h, err := s.app.CustomerHistory(ctx, principal(c), id, app.HistoryQuery{From: c.Query("from"), To: c.Query("to"),
		Kinds: c.Query("kind"), Raw: c.Request.URL.RawQuery})
	if err != nil {
		return err
	}
	if csv {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="customer-%d-history.csv"`, id))
		c.Status(http.StatusOK)
		if err := history.WriteCSV(c.Writer, h.Entries); err != nil {
			s.log.ErrorContext(ctx, "history CSV", "err", err)
		}
		return nil
	}
	c.JSON(http.StatusOK, historyView{CustomerID: h.CustomerID, Workflow: h.Workflow, Truncated: h.Truncated, Entries: h.Entries})
	return nil
}
