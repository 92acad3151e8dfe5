package passkeys

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Metrics counted from the merge function's decision line (one JSON line per
// invocation, message "pre sign-up decision"), in MetricNamespacePrefix + the
// function's name.
const (
	MetricNamespacePrefix = "CognitoDescopePasskeys/"
	// RefusalsMetric counts deliberate refusals (unverified email, no matching
	// user with requireExistingUser, ...): Lambda counts each as an error too.
	RefusalsMetric = "Refusals"
	// DecisionErrorsMetric counts invocations that failed on a Cognito call.
	DecisionErrorsMetric = "DecisionErrors"
	// ThrottledInvocationsMetric counts invocations that Cognito throttled at
	// least once, whether or not a retry then succeeded.
	ThrottledInvocationsMetric = "ThrottledInvocations"
)

// decisionMetrics maps each metric to its filter on the decision line.
var decisionMetrics = []struct{ metric, pattern string }{
	{RefusalsMetric, `{ $.decision = "refuse" }`},
	{DecisionErrorsMetric, `{ $.decision = "error" }`},
	{ThrottledInvocationsMetric, `{ $.throttled_attempts > 0 }`},
}

// failureExpression is what pages: Lambda's errors less the deliberate
// refusals, plus invocations Lambda throttled. Timeouts and crashes write no
// decision line, so they stay in; a refusal never pages. FILL treats a period
// without data as zero, since a filter publishes nothing until it matches.
const failureExpression = "FILL(errors, 0) - FILL(refusals, 0) + FILL(throttles, 0)"

// failureAlarm is the alarm and what it needs to notify.
type failureAlarm struct {
	alarm           *cloudwatch.MetricAlarm
	metricNamespace pulumi.StringOutput
	resources       []pulumi.Resource
}

// newFailureAlarm counts the decision line's refusals, errors and throttling
// as metrics, and alarms on real failures: a first passkey sign-in that failed
// for a reason other than a deliberate refusal.
func newFailureAlarm(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, fn *mergeFunction, opts ...pulumi.ResourceOption) (*failureAlarm, error) {
	functionName := fn.function.Name
	result := &failureAlarm{metricNamespace: pulumi.Sprintf("%s%s", MetricNamespacePrefix, functionName)}
	for _, m := range decisionMetrics {
		filter, err := cloudwatch.NewLogMetricFilter(ctx, fmt.Sprintf("%s-merge-%s", name, kebab(m.metric)), &cloudwatch.LogMetricFilterArgs{
			LogGroupName: fn.logGroup.Name,
			Pattern:      pulumi.String(m.pattern),
			MetricTransformation: &cloudwatch.LogMetricFilterMetricTransformationArgs{
				Namespace: result.metricNamespace,
				Name:      pulumi.String(m.metric),
				Value:     pulumi.String("1"),
				Unit:      pulumi.String("Count"),
			},
		}, opts...)
		if err != nil {
			return nil, err
		}
		result.resources = append(result.resources, filter)
	}
	var actions pulumi.Array
	if a.AlarmTopicARN != "" {
		actions = append(actions, pulumi.String(a.AlarmTopicARN))
	}
	if a.AlarmEmail != "" {
		topic, err := sns.NewTopic(ctx, name+"-alarms", &sns.TopicArgs{}, opts...)
		if err != nil {
			return nil, err
		}
		subscription, err := sns.NewTopicSubscription(ctx, name+"-alarms-email", &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(a.AlarmEmail),
		}, opts...)
		if err != nil {
			return nil, err
		}
		actions = append(actions, topic.Arn)
		result.resources = append(result.resources, topic, subscription)
	}

	metric := func(id string, namespace pulumi.StringInput, metricName string, dimensions pulumi.StringMap) *cloudwatch.MetricAlarmMetricQueryArgs {
		return &cloudwatch.MetricAlarmMetricQueryArgs{
			Id:         pulumi.String(id),
			ReturnData: pulumi.Bool(false),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace:  namespace,
				MetricName: pulumi.String(metricName),
				Dimensions: dimensions,
				Period:     pulumi.Int(300),
				Stat:       pulumi.String("Sum"),
			},
		}
	}
	byFunction := pulumi.StringMap{"FunctionName": functionName}
	alarm, err := cloudwatch.NewMetricAlarm(ctx, name+"-merge-failures", &cloudwatch.MetricAlarmArgs{
		AlarmDescription: pulumi.Sprintf("The pre sign-up function %s failed, timed out or was throttled (deliberate refusals do not count): a first passkey sign-in failed. Read its log group for the reason.", functionName),
		MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
			metric("errors", pulumi.String("AWS/Lambda"), "Errors", byFunction),
			metric("throttles", pulumi.String("AWS/Lambda"), "Throttles", byFunction),
			metric("refusals", result.metricNamespace, RefusalsMetric, nil),
			&cloudwatch.MetricAlarmMetricQueryArgs{
				Id:         pulumi.String("failures"),
				Expression: pulumi.String(failureExpression),
				Label:      pulumi.String("Failed invocations (refusals excluded)"),
				ReturnData: pulumi.Bool(true),
			},
		},
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		Threshold:          pulumi.Float64(1),
		EvaluationPeriods:  pulumi.Int(1),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       actions,
		OkActions:          actions,
	}, opts...)
	if err != nil {
		return nil, err
	}
	result.alarm = alarm
	result.resources = append(result.resources, alarm)
	return result, nil
}

// kebab turns "ThrottledInvocations" into "throttled-invocations" for resource names.
func kebab(s string) string {
	var b []rune
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b = append(b, '-')
			}
			r += 'a' - 'A'
		}
		b = append(b, r)
	}
	return string(b)
}
