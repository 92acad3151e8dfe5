package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// merge backs up the federated user, deletes it, links its identity to the
// kept user and copies its groups. The delete comes first because Cognito
// refuses to link a source identity that already has a user of its own
// ("Merging is not currently supported, provide a SourceUser that has not
// been signed up", aws/aws-sdk-net#1000).
func (r *run) merge(ctx context.Context, fed types.UserType, subject string, kept types.UserType, alreadyLinked bool) error {
	name := aws.ToString(fed.Username)
	groups, err := r.groups(ctx, name)
	if err != nil {
		return err
	}
	rec := BackupRecord{
		Kind:              KindMerge,
		Time:              r.opts.Clock.Now().UTC(),
		UserPoolID:        r.opts.UserPoolID,
		Provider:          r.opts.Provider,
		FederatedUsername: name,
		Subject:           subject,
		Federated:         userRecord(fed, groups),
		Kept:              userRecord(kept, nil),
	}
	// Nothing is deleted before its record is on disk.
	if err := r.journal.Append(rec); err != nil {
		return err
	}
	r.changed = true
	ctx, cancel := detach(ctx)
	defer cancel()
	_, err = r.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{
		UserPoolId: aws.String(r.opts.UserPoolID),
		Username:   aws.String(name),
	})
	var gone *types.UserNotFoundException
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("delete federated user %s: %w", name, explain("AdminDeleteUser", err))
	}
	return r.finish(ctx, rec, !alreadyLinked)
}

// FinishTimeout bounds a merge that goes on after an interrupt: enough for
// each of its calls to use up its retries.
const FinishTimeout = 2 * time.Minute

// detach returns a context for a merge that has begun: from the delete on it
// is finished even when the run is interrupted (Ctrl-C, SIGTERM), since
// stopping between the delete and the link would leave the person's Descope
// identity without a user until a resume. Its own timeout bounds the wait.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), FinishTimeout)
}

// finish links the identity (unless it is known to be linked already), adds
// the kept user to the groups, and records the merge as done.
func (r *run) finish(ctx context.Context, rec BackupRecord, link bool) error {
	kept := rec.Kept.Username
	if link {
		if err := r.link(ctx, kept, rec.Subject); err != nil {
			return err
		}
	}
	for _, g := range rec.Federated.Groups {
		// Adding a member a group already has succeeds, so a retried
		// finish is harmless.
		if _, err := r.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
			UserPoolId: aws.String(r.opts.UserPoolID),
			Username:   aws.String(kept),
			GroupName:  aws.String(g),
		}); err != nil {
			return fmt.Errorf("add %s to group %s: %w", kept, g, explain("AdminAddUserToGroup", err))
		}
	}
	return r.journal.Append(BackupRecord{
		Kind:              KindDone,
		Time:              r.opts.Clock.Now().UTC(),
		UserPoolID:        rec.UserPoolID,
		Provider:          rec.Provider,
		FederatedUsername: rec.FederatedUsername,
	})
}

// link links provider/subject to the kept user. Cognito answers a repeated
// link with an InvalidParameterException whose message is not reliable, so,
// as in the merge function, the kept user is read back and only an
// identities attribute holding this exact identity counts as success.
func (r *run) link(ctx context.Context, kept, subject string) error {
	_, err := r.api.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId: aws.String(r.opts.UserPoolID),
		DestinationUser: &types.ProviderUserIdentifierType{
			ProviderName:           aws.String("Cognito"),
			ProviderAttributeValue: aws.String(kept),
		},
		SourceUser: &types.ProviderUserIdentifierType{
			ProviderName:           aws.String(r.opts.Provider),
			ProviderAttributeName:  aws.String(linking.SourceAttributeName),
			ProviderAttributeValue: aws.String(subject),
		},
	})
	if err == nil {
		return nil
	}
	linkErr := fmt.Errorf("link %s identity to %s: %w", r.opts.Provider, kept, explain("AdminLinkProviderForUser", err))
	var invalid *types.InvalidParameterException
	if !errors.As(err, &invalid) {
		return linkErr
	}
	u, found, rerr := r.user(ctx, kept)
	if rerr != nil {
		return errors.Join(linkErr, rerr)
	}
	if ids, _ := linking.Attribute(u, linking.AttrIdentities); found && linking.IdentitiesContain(ids, r.opts.Provider, subject) {
		return nil
	}
	return linkErr
}

// user reads one user by exact user name with AdminGetUser. ListUsers "is
// eventually consistent ... To validate the existence ... of an individual
// user, use AdminGetUser": a resume shortly after a crash may still list the
// federated user it deleted, and would then abandon the merge for good.
func (r *run) user(ctx context.Context, name string) (types.UserType, bool, error) {
	out, err := r.api.AdminGetUser(ctx, &cip.AdminGetUserInput{
		UserPoolId: aws.String(r.opts.UserPoolID),
		Username:   aws.String(name),
	})
	var gone *types.UserNotFoundException
	if errors.As(err, &gone) {
		return types.UserType{}, false, nil
	}
	if err != nil {
		return types.UserType{}, false, fmt.Errorf("read user %s: %w", name, explain("AdminGetUser", err))
	}
	return types.UserType{
		Username:             out.Username,
		Attributes:           out.UserAttributes,
		Enabled:              out.Enabled,
		UserStatus:           out.UserStatus,
		UserCreateDate:       out.UserCreateDate,
		UserLastModifiedDate: out.UserLastModifiedDate,
	}, true, nil
}

// groups lists every group of a user.
func (r *run) groups(ctx context.Context, name string) ([]string, error) {
	var groups []string
	var token *string
	for {
		out, err := r.api.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{
			UserPoolId: aws.String(r.opts.UserPoolID),
			Username:   aws.String(name),
			Limit:      aws.Int32(groupPageSize),
			NextToken:  token,
		})
		if err != nil {
			return nil, fmt.Errorf("list groups of %s: %w", name, explain("AdminListGroupsForUser", err))
		}
		for _, g := range out.Groups {
			groups = append(groups, aws.ToString(g.GroupName))
		}
		if aws.ToString(out.NextToken) == "" {
			return groups, nil
		}
		token = out.NextToken
	}
}

// resume finishes one merge of the resume file. A federated user that still
// exists was never deleted: that merge is abandoned, and the scan that
// follows decides on the user afresh.
func (r *run) resume(ctx context.Context, rec BackupRecord) error {
	row := Row{
		FederatedUser: rec.FederatedUsername,
		Decision:      DecisionResume,
		Reason:        ReasonUnfinishedMerge,
	}
	if rec.Federated != nil {
		row.FederatedSub = rec.Federated.Sub
		row.Email = linking.MaskEmail(rec.Federated.Attributes[linking.AttrEmail])
	}
	if rec.Kept != nil {
		row.KeptUser, row.KeptSub = rec.Kept.Username, rec.Kept.Sub
	}
	if rec.Federated == nil || rec.Kept == nil || rec.Subject == "" {
		return fmt.Errorf("resume file %s: the merge record of %s lacks its users or subject: restore the file from your copy", r.opts.ResumePath, rec.FederatedUsername)
	}
	r.count(row)
	var err error
	if r.opts.Apply {
		err = r.finishResumed(ctx, rec, &row)
		r.record(&row, err)
	}
	if outErr := r.opts.Output.Row(row); outErr != nil {
		return outErr
	}
	return err
}

func (r *run) finishResumed(ctx context.Context, rec BackupRecord, row *Row) error {
	_, exists, err := r.user(ctx, rec.FederatedUsername)
	if err != nil {
		return err
	}
	r.changed = true
	ctx, cancel := detach(ctx)
	defer cancel()
	if exists {
		row.Result, row.Reason = ResultAbandoned, ReasonFederatedUserNotDeleted
		return r.journal.Append(BackupRecord{
			Kind:              KindAbandoned,
			Time:              r.opts.Clock.Now().UTC(),
			UserPoolID:        rec.UserPoolID,
			Provider:          rec.Provider,
			FederatedUsername: rec.FederatedUsername,
		})
	}
	return r.finish(ctx, rec, true)
}
