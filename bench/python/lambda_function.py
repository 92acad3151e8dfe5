# The merge function from Descope's blog post "Adding Passkeys to Your Amazon
# Cognito User Pool With Descope", as users would deploy it: the benchmarks'
# Python + boto3 baseline. The post's code does not parse; only what it takes
# to run was changed, and its logic is kept, flaws included:
#   - closed the unbalanced parentheses and the broken `.format(` call, and
#     passed admin_link_provider_for_user its arguments as keywords;
#   - added UserPoolId to list_users and admin_link_provider_for_user, which
#     both require it (the post leaves it out of list_users);
#   - endpoint_url from AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, because
#     Debian's boto3 1.26 predates service endpoint variables; unset (as in
#     Lambda) it is None, boto3's default.
# Kept as in the post: every trigger source lists users, email_verified is not
# checked, every matching user is linked, and the whole event is printed.
import os

import boto3

client = boto3.client(
    'cognito-idp',
    endpoint_url=os.environ.get('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER'),
)


def lambda_handler(event, context):
    print("Event: ", event)
    email = event['request']['userAttributes']['email']

    # Find a user with the same email
    response = client.list_users(
        UserPoolId=event['userPoolId'],
        Filter='email = "{}"'.format(email)
    )

    print('Users found: ', response['Users'])

    for user in response['Users']:
        provider = None
        provider_value = None
        # Check which provider it is using
        if event['userName'].startswith('descope_'):
            provider = 'Descope'
            provider_value = event['request']['userAttributes']['name']

        print('Linking accounts from Email {} with provider {} provider_value {} '.format(
            email, provider, provider_value))

        # If the signup is coming from a social provider, link the accounts
        # with admin_link_provider_for_user function
        if provider and provider_value:
            print('> Linking user: ', user)
            print('> Provider Id: ', provider_value)
            response = client.admin_link_provider_for_user(
                UserPoolId=event['userPoolId'],
                DestinationUser={
                    'ProviderName': 'Cognito',
                    'ProviderAttributeValue': user['Username']
                },
                SourceUser={
                    'ProviderName': provider,
                    'ProviderAttributeName': 'Cognito_Subject',
                    'ProviderAttributeValue': provider_value
                }
            )
    # Return the event to continue the workflow
    return event
