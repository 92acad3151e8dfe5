package livepool

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// pagedProviders answers ListIdentityProviders one provider per page and
// counts the calls; the other operations answer from the embedded API.
type pagedProviders struct {
	API
	names []string
	calls int
}

func (p *pagedProviders) ListIdentityProviders(_ context.Context, in *cognitoidentityprovider.ListIdentityProvidersInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.ListIdentityProvidersOutput, error) {
	p.calls++
	page := 0
	if in.NextToken != nil {
		page = len(*in.NextToken)
	}
	out := &cognitoidentityprovider.ListIdentityProvidersOutput{}
	if page < len(p.names) {
		out.Providers = []types.ProviderDescription{{ProviderName: aws.String(p.names[page]), ProviderType: types.IdentityProviderTypeTypeOidc}}
	}
	if page+1 < len(p.names) {
		out.NextToken = aws.String(strings.Repeat("n", page+1))
	}
	return out, nil
}

func TestReadFindsTheProviderOnALaterPage(t *testing.T) {
	api := &pagedProviders{API: recordedCognito(t), names: []string{"Google", "Okta", "Descope"}}
	state, err := Read(t.Context(), api, Request{UserPoolID: recordedPoolID, ProviderName: "Descope"})
	if err != nil {
		t.Fatal(err)
	}
	if state.Provider == nil || aws.ToString(state.Provider.ProviderName) != "Descope" || api.calls != 3 {
		t.Errorf("provider %+v after %d pages, want Descope after 3", state.Provider, api.calls)
	}
}

func TestReadWithoutTheProviderPlansItsCreation(t *testing.T) {
	api := &pagedProviders{API: recordedCognito(t), names: []string{"Google"}}
	state, err := Read(t.Context(), api, Request{UserPoolID: recordedPoolID, ProviderName: "Descope"})
	if err != nil {
		t.Fatal(err)
	}
	if state.Provider != nil {
		t.Errorf("provider %+v, want none", state.Provider)
	}
	plan, err := Adopt(state, ownedForTest())
	if err != nil {
		t.Fatal(err)
	}
	if plan.Provider != nil {
		t.Error("a missing provider got an import ID")
	}
}

func TestReadStopsAfterBoundedProviderPages(t *testing.T) {
	names := make([]string, maxProviderPages+5)
	for i := range names {
		names[i] = "Other"
	}
	api := &pagedProviders{API: recordedCognito(t), names: names}
	_, err := Read(t.Context(), api, Request{UserPoolID: recordedPoolID, ProviderName: "Descope"})
	if err == nil || api.calls != maxProviderPages {
		t.Errorf("err %v after %d calls, want an error after %d", err, api.calls, maxProviderPages)
	}
}

func TestReadErrorsNameTheConfigToCheck(t *testing.T) {
	client := recordedCognito(t)
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"no pool ID", Request{}, "pulumi config set userPoolId"},
		{"unknown pool", Request{UserPoolID: "us-east-1_Missing00"}, "check userPoolId and aws:region"},
		{"unknown client", Request{UserPoolID: recordedPoolID, ClientIDs: []string{"nosuchclient"}}, "check appClientIds"},
		{"repeated client", Request{UserPoolID: recordedPoolID, ClientIDs: []string{recordedClientID, recordedClientID}}, "appClientIds[1] is empty or repeated"},
		{"empty client", Request{UserPoolID: recordedPoolID, ClientIDs: []string{""}}, "appClientIds[0] is empty or repeated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(t.Context(), client, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestReadKeepsBothDomains(t *testing.T) {
	state := readRecorded(t, recordedPoolID)
	var names []string
	for _, d := range state.Domains {
		names = append(names, aws.ToString(d.Domain))
	}
	if strings.Join(names, ",") != "acme-login,login.acme.example" {
		t.Errorf("domains %v, want the prefix and the custom domain", names)
	}
}
