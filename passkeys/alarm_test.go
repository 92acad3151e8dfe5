package passkeys

import (
	"strconv"
	"strings"
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
					where := metric["namespace"].(string)
					if dims, ok := metric["dimensions"].(map[string]any); ok {
						where += " " + dims["FunctionName"].(string)
					}
					metrics[m["id"].(string)] = where + " " + metric["metricName"].(string)
				}
			}
			assertEqual(t, "alarm metrics", metrics, map[string]string{
				"errors":    "AWS/Lambda passkeys-dev-merge Errors",
				"throttles": "AWS/Lambda passkeys-dev-merge Throttles",
				"refusals":  "CognitoDescopePasskeys/passkeys-dev-merge Refusals",
			})
			assertEqual(t, "mergeFunctionMetricNamespace", outs.values["mergeFunctionMetricNamespace"], "CognitoDescopePasskeys/passkeys-dev-merge")
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

// The filters match the decision line's contract exactly, on the function's
// own log group, into the namespace the alarm reads.
func TestDecisionLineMetrics(t *testing.T) {
	rec, outs := mustDeploy(t, validArgs())
	logs := one(t, rec, typeLogGroup)
	got := map[string]string{}
	for _, f := range rec.Resources(typeMetricFilter) {
		assertEqual(t, f.Name+" logGroupName", get(t, f.Inputs, "logGroupName"), get(t, logs.Inputs, "name"))
		assertEqual(t, f.Name+" namespace", get(t, f.Inputs, "metricTransformation.namespace"), outs.values["mergeFunctionMetricNamespace"])
		assertEqual(t, f.Name+" value", get(t, f.Inputs, "metricTransformation.value"), "1")
		got[get(t, f.Inputs, "metricTransformation.name").(string)] = get(t, f.Inputs, "pattern").(string)
	}
	assertEqual(t, "metric filters", got, map[string]string{
		"Refusals":             `{ $.decision = "refuse" }`,
		"DecisionErrors":       `{ $.decision = "error" }`,
		"ThrottledInvocations": `{ $.throttled_attempts > 0 }`,
	})
}

// evaluate computes the alarm's expression for one period's sums, the way
// CloudWatch would: FILL(x, 0) is x, or 0 when x has no data (absent key).
func evaluate(t *testing.T, expression string, sums map[string]float64) float64 {
	t.Helper()
	total, sign := 0.0, 1.0
	for _, term := range strings.Fields(strings.ReplaceAll(expression, ", 0)", ",0)")) {
		switch {
		case term == "+":
			sign = 1
		case term == "-":
			sign = -1
		case strings.HasPrefix(term, "FILL(") && strings.HasSuffix(term, ",0)"):
			total += sign * sums[strings.TrimSuffix(strings.TrimPrefix(term, "FILL("), ",0)")]
		default:
			t.Fatalf("expression %q: cannot evaluate %q", expression, term)
		}
	}
	return total
}

func TestAlarmPagesForFailuresNotRefusals(t *testing.T) {
	rec, _ := mustDeploy(t, validArgs())
	alarm := one(t, rec, typeAlarm)
	var expression string
	for _, q := range get(t, alarm.Inputs, "metricQueries").([]any) {
		if m := q.(map[string]any); m["returnData"] == true {
			expression = m["expression"].(string)
		}
	}
	threshold := get(t, alarm.Inputs, "threshold").(float64)
	tests := []struct {
		name  string
		sums  map[string]float64 // Lambda's Errors and Throttles, the Refusals filter
		pages bool
	}{
		{"quiet", map[string]float64{}, false},
		{"strangers refused", map[string]float64{"errors": 25, "refusals": 25}, false},
		{"a Cognito call failed", map[string]float64{"errors": 1}, true},
		{"a timeout among refusals (no decision line)", map[string]float64{"errors": 4, "refusals": 3}, true},
		{"Lambda throttled an invocation", map[string]float64{"throttles": 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			value := evaluate(t, expression, tt.sums)
			if pages := value >= threshold; pages != tt.pages {
				t.Errorf("%s = %s for %v: pages = %v, want %v", expression, strconv.FormatFloat(value, 'f', -1, 64), tt.sums, pages, tt.pages)
			}
		})
	}
}
