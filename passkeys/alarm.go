package passkeys

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// failureAlarm is the alarm and what it needs to notify.
type failureAlarm struct {
	alarm     *cloudwatch.MetricAlarm
	resources []pulumi.Resource
}

// newFailureAlarm alarms when the merge function fails or is throttled: either
// way a user's first passkey sign-in was refused.
func newFailureAlarm(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, functionName pulumi.StringOutput, opts ...pulumi.ResourceOption) (*failureAlarm, error) {
	result := &failureAlarm{}
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

	lambdaMetric := func(id, metric string) *cloudwatch.MetricAlarmMetricQueryArgs {
		return &cloudwatch.MetricAlarmMetricQueryArgs{
			Id:         pulumi.String(id),
			ReturnData: pulumi.Bool(false),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace:  pulumi.String("AWS/Lambda"),
				MetricName: pulumi.String(metric),
				Dimensions: pulumi.StringMap{"FunctionName": functionName},
				Period:     pulumi.Int(300),
				Stat:       pulumi.String("Sum"),
			},
		}
	}
	alarm, err := cloudwatch.NewMetricAlarm(ctx, name+"-merge-failures", &cloudwatch.MetricAlarmArgs{
		AlarmDescription: pulumi.Sprintf("The pre sign-up function %s failed or was throttled: a first passkey sign-in was refused. Read its log group for the reason.", functionName),
		MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
			lambdaMetric("errors", "Errors"),
			lambdaMetric("throttles", "Throttles"),
			&cloudwatch.MetricAlarmMetricQueryArgs{
				Id:         pulumi.String("failures"),
				Expression: pulumi.String("errors + throttles"),
				Label:      pulumi.String("Failed or throttled invocations"),
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
