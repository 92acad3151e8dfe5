package passkeys

import (
	"testing"
)

func TestFailureAlarm(t *testing.T) {
	topicARN := "arn:aws:sns:us-east-1:123456789012:ops"
	tests := []struct {
		name        string
		email       string
		topic       string
		wantActions int
	}{
		{"no notification", "", "", 0},
		{"email", "ops@example.com", "", 1},
		{"existing topic", "", topicARN, 1},
		{"both", "ops@example.com", topicARN, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validArgs()
			args.AlarmEmail, args.AlarmTopicARN = tt.email, tt.topic
			rec, outs := mustDeploy(t, args)
			alarm := one(t, rec, typeAlarm)
			queries := get(t, alarm.Inputs, "metricQueries").([]any)
			metrics := map[string]string{}
			for _, q := range queries {
				m := q.(map[string]any)
				if metric, ok := m["metric"].(map[string]any); ok {
					metrics[metric["metricName"].(string)] = metric["dimensions"].(map[string]any)["FunctionName"].(string)
				}
			}
			assertEqual(t, "alarm metrics", metrics, map[string]string{"Errors": "passkeys-dev-merge", "Throttles": "passkeys-dev-merge"})
			assertEqual(t, "threshold", get(t, alarm.Inputs, "threshold"), 1)
			assertEqual(t, "mergeFunctionAlarmName", outs.values["mergeFunctionAlarmName"], get(t, alarm.Outputs, "name"))
			assertEqual(t, "comparisonOperator", get(t, alarm.Inputs, "comparisonOperator"), "GreaterThanOrEqualToThreshold")
			actions := 0
			if v, ok := alarm.Inputs["alarmActions"]; ok && v.IsArray() {
				actions = len(v.ArrayValue())
			}
			if actions != tt.wantActions {
				t.Errorf("alarm actions = %d, want %d", actions, tt.wantActions)
			}
			wantTopics := 0
			if tt.email != "" {
				wantTopics = 1
				sub := one(t, rec, typeSubscr)
				assertEqual(t, "subscription", get(t, sub.Inputs, "endpoint"), tt.email)
				assertEqual(t, "protocol", get(t, sub.Inputs, "protocol"), "email")
			}
			if got := len(rec.Resources(typeTopic)); got != wantTopics {
				t.Errorf("topics = %d, want %d", got, wantTopics)
			}
		})
	}
}
