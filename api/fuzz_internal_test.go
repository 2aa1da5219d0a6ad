package api

import (
	"bytes"
	"encoding/json"
	"testing"

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
		var req scenarioRequest
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
