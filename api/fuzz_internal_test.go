package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"recoup/app"
	"recoup/domain"
	"recoup/dunning"
)

// The scenario endpoints decode a body strictly and validate it with the
// planner's rules; no input may panic on the way, and an accepted scenario
// must survive being stored and read back.
func FuzzScenarioRequest(f *testing.F) {
	for _, seed := range []string{
		`{"name": "Firm", "steps": [{"offset_days": -3, "channel": "email", "template": "reminder_courtesy"}]}`,
		`{"name": "x", "steps": [{"offset_days": 7, "channel": "sms", "template": "a", "repeat_every_days": 7, "max_repeats": 1000000}]}`,
		`{"name": "", "steps": [{"offset_days": 99999999999, "channel": "fax"}]}`,
		`{"name": "x", "steps": [{"risk_classes": ["", "A"], "assignee_role": "boss", "channel": "task"}]}`,
		`{"steps": null}`, `[]`, `{"name": "` + string([]byte{0xff, 0xfe}) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req app.ScenarioRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&req) != nil {
			return
		}
		sc := dunning.Scenario{Name: req.Name, Steps: req.Steps}
		if sc.Validate() != nil {
			return
		}
		stored, err := json.Marshal(req.Steps)
		if err != nil {
			t.Fatal(err)
		}
		var back []dunning.Step
		if err := json.Unmarshal(stored, &back); err != nil || len(back) != len(req.Steps) {
			t.Fatalf("a valid scenario does not read back: %v", err)
		}
	})
}

// Every write endpoint's body goes through decodeJSON: whatever arrives, it
// answers a field-level invalid-input error (or 413) and never panics, and
// what it accepts re-encodes to JSON that decodes to the same value.
func FuzzWriteBodies(f *testing.F) {
	for _, seed := range []string{
		`{"email": "a@b.example", "password": "correct horse battery"}`,
		`{"reason": "customer called", "until": "2030-01-01T00:00:00Z"}`,
		`{"agent_email": "bob@recoup.example"}`, `{"resolution": "paid"}`,
		`{"name": "ERP", "scope": "import", "expires": "30d"}`,
		`{"email": "x@y.example", "role": "agent", "entities": ["FR01"], "disabled": true}`,
		`{"start": "09:00", "end": "17:00", "any_time": false}`, `{"scenario_id": null}`,
		`{"name": "Committee", "recipients": ["cfo@example.com"], "weekday": 1, "hour": 7, "active": false}`,
		`{"until": "yesterday"}`, `{"entities": [1, 2]}`, `{"a": 1}`, `{} {}`, `[[[[[[`, `"\u0000"`, ``,
		`{"email": "` + string([]byte{0xff, 0xfe}) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	gin.SetMode(gin.ReleaseMode)
	targets := []func() any{
		func() any { return &loginBody{} }, func() any { return &app.PauseRequest{} }, func() any { return &app.ReassignRequest{} },
		func() any { return &closeTaskBody{} }, func() any { return &app.TokenRequest{} }, func() any { return &app.UserRequest{} },
		func() any { return &app.WindowRequest{} }, func() any { return &pinRequest{} }, func() any { return &app.RuleRequest{} },
		func() any { return &app.TemplateRequest{} }, func() any { return &reportRequest{} },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, target := range targets {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			v := target()
			err := decodeJSON(c, v)
			if err != nil {
				var de *domain.Error
				var tooBig *http.MaxBytesError
				if !errors.As(err, &de) && !errors.As(err, &tooBig) {
					t.Fatalf("%T: error without a field: %v", v, err)
				}
				if de != nil && (de.Code != domain.CodeInvalid || de.Field == "") {
					t.Fatalf("%T: %+v is not a field-level invalid-input error", v, de)
				}
				continue
			}
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T: accepted but does not encode: %v", v, err)
			}
			w := target()
			if err := json.Unmarshal(again, w); err != nil {
				t.Fatalf("%T: %s does not decode back: %v", v, again, err)
			}
		}
	})
}
