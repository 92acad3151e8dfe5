package livepool

import (
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// schemas declares exactly the attributes the provider's Read keeps in state,
// plus (when addSubject) the Descope subject attribute when it is missing. DescribeUserPool
// lists every standard attribute; the provider's Read drops those that equal
// its table of standard defaults (and the "identities" attribute Cognito adds
// with the first identity provider) and keeps all others, with "custom:" and
// "dev:" stripped. Declaring anything else is a schema diff, and removing or
// changing an attribute fails ("cannot modify or remove schema items"); an
// added custom attribute is applied in place with AddCustomAttributes.
// (terraform-provider-aws internal/service/cognitoidp/user_pool.go,
// flattenSchemaAttributeTypes and userPoolSchemaAttributeMatchesStandardAttribute.)
func schemas(live []types.SchemaAttributeType, addSubject bool) cognito.UserPoolSchemaArray {
	out := cognito.UserPoolSchemaArray{}
	hasSubject := false
	for _, a := range live {
		if isUnconfiguredStandard(a) {
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(aws.ToString(a.Name), "dev:"), "custom:")
		if name == DescopeSubjectAttribute && strings.Contains(aws.ToString(a.Name), "custom:") {
			hasSubject = true
		}
		schema := &cognito.UserPoolSchemaArgs{
			Name:                   pulumi.String(name),
			AttributeDataType:      pulumi.String(string(a.AttributeDataType)),
			DeveloperOnlyAttribute: pulumi.Bool(aws.ToBool(a.DeveloperOnlyAttribute)),
			Mutable:                pulumi.Bool(aws.ToBool(a.Mutable)),
			Required:               pulumi.Bool(aws.ToBool(a.Required)),
		}
		if c := a.StringAttributeConstraints; c != nil {
			schema.StringAttributeConstraints = &cognito.UserPoolSchemaStringAttributeConstraintsArgs{
				MinLength: stringPtr(c.MinLength),
				MaxLength: stringPtr(c.MaxLength),
			}
		}
		if c := a.NumberAttributeConstraints; c != nil {
			schema.NumberAttributeConstraints = &cognito.UserPoolSchemaNumberAttributeConstraintsArgs{
				MinValue: stringPtr(c.MinValue),
				MaxValue: stringPtr(c.MaxValue),
			}
		}
		out = append(out, schema)
	}
	if addSubject && !hasSubject {
		out = append(out, DescopeSubjectSchema())
	}
	return out
}

// DescopeSubjectSchema is the attribute adoption adds, as the component
// declares it on a new pool: mapped attributes must be mutable, since Cognito
// rewrites them at every federated sign-in.
func DescopeSubjectSchema() *cognito.UserPoolSchemaArgs {
	return &cognito.UserPoolSchemaArgs{
		Name:                   pulumi.String(DescopeSubjectAttribute),
		AttributeDataType:      pulumi.String(string(types.AttributeDataTypeString)),
		DeveloperOnlyAttribute: pulumi.Bool(false),
		Mutable:                pulumi.Bool(true),
		Required:               pulumi.Bool(false),
		StringAttributeConstraints: &cognito.UserPoolSchemaStringAttributeConstraintsArgs{
			MinLength: pulumi.String("1"),
			MaxLength: pulumi.String("256"),
		},
	}
}

// isUnconfiguredStandard reports whether the provider's Read leaves the
// attribute out of state: a standard attribute with its default shape, or
// the "identities" attribute.
func isUnconfiguredStandard(a types.SchemaAttributeType) bool {
	for _, standard := range standardAttributes {
		if reflect.DeepEqual(a, standard) {
			return true
		}
	}
	return false
}

// standardAttributes is the provider's table of standard attributes in their
// default shape, and the "identities" attribute.
var standardAttributes = func() []types.SchemaAttributeType {
	text := func(name string, mutable, required bool, minLength, maxLength string) types.SchemaAttributeType {
		return types.SchemaAttributeType{
			AttributeDataType:      types.AttributeDataTypeString,
			DeveloperOnlyAttribute: aws.Bool(false),
			Mutable:                aws.Bool(mutable),
			Name:                   aws.String(name),
			Required:               aws.Bool(required),
			StringAttributeConstraints: &types.StringAttributeConstraintsType{
				MaxLength: aws.String(maxLength),
				MinLength: aws.String(minLength),
			},
		}
	}
	boolean := func(name string) types.SchemaAttributeType {
		return types.SchemaAttributeType{
			AttributeDataType:      types.AttributeDataTypeBoolean,
			DeveloperOnlyAttribute: aws.Bool(false),
			Mutable:                aws.Bool(true),
			Name:                   aws.String(name),
			Required:               aws.Bool(false),
		}
	}
	attributes := []types.SchemaAttributeType{
		text("address", true, false, "0", "2048"),
		text("birthdate", true, false, "10", "10"),
		text("email", true, false, "0", "2048"),
		boolean("email_verified"),
		text("family_name", true, false, "0", "2048"),
		text("gender", true, false, "0", "2048"),
		text("given_name", true, false, "0", "2048"),
		text("locale", true, false, "0", "2048"),
		text("middle_name", true, false, "0", "2048"),
		text("name", true, false, "0", "2048"),
		text("nickname", true, false, "0", "2048"),
		text("phone_number", true, false, "0", "2048"),
		boolean("phone_number_verified"),
		text("picture", true, false, "0", "2048"),
		text("preferred_username", true, false, "0", "2048"),
		text("profile", true, false, "0", "2048"),
		text("sub", false, true, "1", "2048"),
		{
			AttributeDataType:          types.AttributeDataTypeNumber,
			DeveloperOnlyAttribute:     aws.Bool(false),
			Mutable:                    aws.Bool(true),
			Name:                       aws.String("updated_at"),
			NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0")},
			Required:                   aws.Bool(false),
		},
		text("website", true, false, "0", "2048"),
		text("zoneinfo", true, false, "0", "2048"),
		{
			AttributeDataType:          types.AttributeDataTypeString,
			DeveloperOnlyAttribute:     aws.Bool(false),
			Mutable:                    aws.Bool(true),
			Name:                       aws.String("identities"),
			Required:                   aws.Bool(false),
			StringAttributeConstraints: &types.StringAttributeConstraintsType{},
		},
	}
	return attributes
}()
