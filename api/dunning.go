package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recoup/domain"
	"recoup/dunning"
	"recoup/notify"
	"recoup/store"
	"recoup/workflows"
)

type pauseBody struct {
	Until  *time.Time `json:"until"`
	Reason string     `json:"reason"`
}

type reassignBody struct {
	AgentEmail string `json:"agent_email"`
}

// dunningCustomer reads the {id} of a dunning route, checks the caller may
// see that customer, and that Temporal is there.
func (s *Server) dunningCustomer(c *gin.Context) (int64, bool) {
	id, ok := s.visibleCustomer(c)
	return id, ok && s.temporalReady(c)
}

// temporalReady answers 503 when this process has no Temporal connection;
// commands check it after their input, so bad input is a 400 even then.
func (s *Server) temporalReady(c *gin.Context) bool {
	if s.control == nil {
		s.fail(c, errNoTemporal)
		return false
	}
	return true
}

func (s *Server) dunningStatus(c *gin.Context) {
	if err := queryParams(c); err != nil {
		s.fail(c, err)
		return
	}
	id, ok := s.dunningCustomer(c)
	if !ok {
		return
	}
	st, err := s.control.Status(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (s *Server) pauseDunning(c *gin.Context) {
	id, ok := s.visibleCustomer(c)
	if !ok {
		return
	}
	var body pauseBody
	if err := decodeJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	req := workflows.PauseRequest{Reason: body.Reason, By: actor(c)}
	if body.Until != nil {
		if !body.Until.After(time.Now()) {
			s.fail(c, domain.FieldError("until", "%s is in the past", body.Until.Format(time.RFC3339)))
			return
		}
		req.Until = body.Until.UTC()
	}
	if !s.temporalReady(c) {
		return
	}
	st, err := s.control.Pause(c.Request.Context(), id, req)
	s.journaled(c, id, "dunning.pause", st, err)
}

func (s *Server) resumeDunning(c *gin.Context) {
	id, ok := s.visibleCustomer(c)
	if !ok {
		return
	}
	var body struct{} // optional: resume takes nothing, but what comes must be an empty object
	err := queryParams(c)
	if err == nil && c.Request.ContentLength != 0 {
		err = decodeJSON(c, &body)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if !s.temporalReady(c) {
		return
	}
	st, err := s.control.Resume(c.Request.Context(), id, workflows.ResumeRequest{By: actor(c)})
	s.journaled(c, id, "dunning.resume", st, err)
}

func (s *Server) reassignDunning(c *gin.Context) {
	id, ok := s.visibleCustomer(c)
	if !ok {
		return
	}
	var body reassignBody
	if err := decodeJSON(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	body.AgentEmail = strings.ToLower(strings.TrimSpace(body.AgentEmail))
	if body.AgentEmail == "" {
		s.fail(c, domain.FieldError("agent_email", "required"))
		return
	}
	if ok, err := s.store.UserExists(c.Request.Context(), body.AgentEmail); err != nil || !ok {
		if err == nil {
			err = domain.FieldError("agent_email", "no user %s", body.AgentEmail)
		}
		s.fail(c, err)
		return
	}
	if !s.temporalReady(c) {
		return
	}
	agent, err := s.control.Reassign(c.Request.Context(), id, workflows.ReassignRequest{AgentEmail: body.AgentEmail, By: actor(c)})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"agent_email": agent})
}

// journaled answers a change the workflow accepted, after journaling it: the
// workflow's state lives in Temporal, whose history is not kept forever.
func (s *Server) journaled(c *gin.Context, customerID int64, action string, result any, err error) {
	if err == nil {
		after, _ := json.Marshal(result)
		err = s.store.Append(c.Request.Context(), store.Entry{Actor: actor(c), Action: action,
			Target: fmt.Sprintf("customer/%d", customerID), After: after})
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, result)
}

// maxPreviewDays bounds the preview calendar.
const maxPreviewDays = 366

// previewDunning answers the calendar of actions the planner would take if
// nothing changes, from the live state of the account's workflow (or a fresh
// one when none runs), by the same planner code the workflow uses.
func (s *Server) previewDunning(c *gin.Context) {
	if err := queryParams(c, "days"); err != nil {
		s.fail(c, err)
		return
	}
	id, ok := s.dunningCustomer(c)
	if !ok {
		return
	}
	days := 90
	if v := c.Query("days"); v != "" {
		var err error
		if days, err = strconv.Atoi(v); err != nil || days < 1 || days > maxPreviewDays {
			s.fail(c, domain.FieldError("days", "%q: want a number from 1 to %d", v, maxPreviewDays))
			return
		}
	}
	ctx := c.Request.Context()
	acct, _, err := s.store.AccountSnapshot(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	var state dunning.State
	running := true
	st, err := s.control.Status(ctx, id)
	switch {
	case err == nil:
		state = st.State
		acct.Paused, acct.PausedUntil = st.Pause.Paused, st.Pause.Until
	case domain.ErrorCode(err) == domain.CodeNotFound:
		running = false
	default:
		s.fail(c, err)
		return
	}
	actions := dunning.Preview(acct, state, time.Now().UTC(), days)
	if actions == nil {
		actions = []dunning.Action{}
	}
	for i := range actions { // the planner works in local time; the API answers in UTC
		actions[i].At = actions[i].At.UTC()
		if !actions[i].TaskDue.IsZero() {
			actions[i].TaskDue = actions[i].TaskDue.UTC()
		}
	}
	c.JSON(http.StatusOK, gin.H{"customer_id": id, "days": days, "workflow_running": running, "actions": actions})
}

// deliveryReport records what Twilio says became of a text or call, and
// tells the account's workflow when it did not arrive, so it falls back to
// email. A report that arrives before the send is recorded is caught by the
// send's activity instead (it checks the reports after recording).
func (s *Server) deliveryReport(ctx context.Context, u notify.StatusUpdate) error {
	if err := s.store.RecordDelivery(ctx, u.SID, u.Status, u.ErrorCode); err != nil {
		return err
	}
	if !store.FailedDelivery(u.Status) || s.control == nil {
		return nil
	}
	m, found, err := s.store.SentMessageByRef(ctx, u.SID)
	if err != nil || !found {
		return err
	}
	return s.control.DeliveryFailed(ctx, m.CustomerID, m.Key)
}
