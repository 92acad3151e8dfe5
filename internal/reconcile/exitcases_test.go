package reconcile

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// latePool is a pool in memory whose full listings each show one more
// Descope duplicate than the one before, as listings may when users are
// deleted while paging: native users person-<i>, duplicates Descope_S<i>.
type latePool struct {
	API      // nil: any other call panics
	mu       sync.Mutex
	people   int
	listings int
	deleted  map[string]bool
	links    []string
}

func newLatePool(people int) *latePool { return &latePool{people: people, deleted: map[string]bool{}} }

func attr(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

func (p *latePool) native(i int) types.UserType {
	email := fmt.Sprintf("person-%d@example.com", i)
	return types.UserType{Username: aws.String(fmt.Sprintf("person-%d", i)), Enabled: true, UserStatus: types.UserStatusTypeConfirmed,
		Attributes: []types.AttributeType{attr("sub", fmt.Sprintf("native-%d", i)), attr("email", email), attr("email_verified", "true")}}
}

func (p *latePool) duplicate(i int) types.UserType {
	subject := fmt.Sprintf("S%d", i)
	return types.UserType{Username: aws.String("Descope_" + subject), Enabled: true, UserStatus: types.UserStatusTypeExternalProvider,
		Attributes: []types.AttributeType{attr("sub", "fed-"+subject), attr("email", fmt.Sprintf("person-%d@example.com", i)), attr("email_verified", "true"), attr(linking.AttrSubject, subject)}}
}

func (p *latePool) DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error) {
	return &cip.DescribeUserPoolOutput{UserPool: &types.UserPoolType{Id: aws.String("us-east-1_Late1")}}, nil
}

func (p *latePool) DescribeIdentityProvider(context.Context, *cip.DescribeIdentityProviderInput, ...func(*cip.Options)) (*cip.DescribeIdentityProviderOutput, error) {
	return &cip.DescribeIdentityProviderOutput{IdentityProvider: &types.IdentityProviderType{ProviderName: aws.String("Descope")}}, nil
}

func (p *latePool) ListUsers(_ context.Context, in *cip.ListUsersInput, _ ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if aws.ToString(in.Filter) == "" && aws.ToInt32(in.Limit) > 1 {
		p.listings++ // not the pre-flight's one-user read
	}
	var users []types.UserType
	for i := range p.people {
		if filter := aws.ToString(in.Filter); filter != "" {
			if filter == linking.EmailFilter(fmt.Sprintf("person-%d@example.com", i)) {
				users = append(users, p.native(i))
			}
			continue
		}
		users = append(users, p.native(i))
		if dup := p.duplicate(i); i < p.listings && !p.deleted[aws.ToString(dup.Username)] {
			users = append(users, dup)
		}
	}
	return &cip.ListUsersOutput{Users: users}, nil
}

func (p *latePool) AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error) {
	return nil, &types.UserNotFoundException{Message: aws.String("User does not exist.")}
}

func (p *latePool) AdminListGroupsForUser(context.Context, *cip.AdminListGroupsForUserInput, ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error) {
	return &cip.AdminListGroupsForUserOutput{}, nil
}

func (p *latePool) AdminDeleteUser(_ context.Context, in *cip.AdminDeleteUserInput, _ ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deleted[aws.ToString(in.Username)] = true
	return &cip.AdminDeleteUserOutput{}, nil
}

func (p *latePool) AdminLinkProviderForUser(_ context.Context, in *cip.AdminLinkProviderForUserInput, _ ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if name := aws.ToString(in.DestinationUser.ProviderAttributeValue); !strings.HasPrefix(name, ProbePrefix) {
		p.links = append(p.links, name)
	}
	return &cip.AdminLinkProviderForUserOutput{}, nil
}

func (p *latePool) AdminAddUserToGroup(context.Context, *cip.AdminAddUserToGroupInput, ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	return &cip.AdminAddUserToGroupOutput{}, nil
}

func lateOptions(t *testing.T) Options {
	return Options{UserPoolID: "us-east-1_Late1", Provider: "Descope", Apply: true, BackupPath: filepath.Join(t.TempDir(), "b.jsonl")}
}

// When every allowed listing still finds merges, the run says to run again
// (the command exits non-zero) instead of reporting success; with fewer
// duplicates than listings it ends normally.
func TestPassLimitWhileStillMergingIsNotSuccess(t *testing.T) {
	for _, c := range []struct {
		people  int
		wantErr bool
	}{{people: maxPasses + 1, wantErr: true}, {people: maxPasses - 1, wantErr: false}} {
		pool := newLatePool(c.people)
		rep, err := runJSON(t.Context(), t, pool, lateOptions(t))
		var changed *ChangedError
		switch {
		case c.wantErr && (!errors.Is(err, ErrPassLimit) || errors.As(err, &changed) || !strings.Contains(err.Error(), "run the same command again")):
			t.Errorf("%d duplicates: error %v, want ErrPassLimit saying to run again", c.people, err)
		case !c.wantErr && err != nil:
			t.Errorf("%d duplicates: %v", c.people, err)
		}
		if want := min(c.people, maxPasses); len(pool.links) != want || rep.Summary.Merged != want || rep.Summary.Passes != min(c.people+1, maxPasses) {
			t.Errorf("%d duplicates: links %v, summary %+v; want %d merges", c.people, pool.links, rep.Summary, want)
		}
	}
}

// failingEnd is a sink whose totals cannot be written.
type failingEnd struct{ Sink }

var errEnd = errors.New("write the totals: disk full")

func (failingEnd) End(Summary) error { return errEnd }

// A failure after the pool was changed is a ChangedError (exit 3), even when
// it is only the output of the totals that fails.
func TestFailureAfterAChangeIsAChangedError(t *testing.T) {
	pool := newLatePool(1)
	opts := lateOptions(t)
	opts.Output = failingEnd{NewTableSink(&strings.Builder{})}
	opts.Clock = newFakeClock()
	err := Run(t.Context(), pool, opts)
	var changed *ChangedError
	if !errors.As(err, &changed) || !errors.Is(err, errEnd) || len(pool.links) != 1 {
		t.Errorf("error %v (links %v), want a ChangedError wrapping the output's", err, pool.links)
	}
}
