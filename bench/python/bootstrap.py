"""A minimal Lambda Runtime API loop (stdlib only) that runs lambda_function.

It does what a provided runtime's bootstrap must: import the handler (posting
init/error if that fails), then loop on invocation/next, calling the handler and
posting its result to .../response or its exception to .../error.
"""
import ipaddress
import json
import os
import sys
import traceback
import urllib.parse
import urllib.request

API = 'http://{}/2018-06-01/runtime'.format(os.environ['AWS_LAMBDA_RUNTIME_API'])


def require_loopback_endpoint():
    # The harness points boto3 at a local stand-in; refuse to run without one,
    # so fake credentials are never sent anywhere else.
    endpoint = os.environ.get('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', '')
    host = urllib.parse.urlsplit(endpoint).hostname or ''
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        sys.exit('bootstrap.py: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER must be a loopback URL, got %r' % endpoint)


def post(path, body, headers=None):
    request = urllib.request.Request(API + path, data=body, method='POST', headers=headers or {})
    with urllib.request.urlopen(request) as response:
        response.read()


def error_body(exc):
    return json.dumps({
        'errorMessage': str(exc),
        'errorType': type(exc).__name__,
        'stackTrace': traceback.format_tb(exc.__traceback__),
    }).encode()


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers['Lambda-Runtime-Aws-Request-Id']
        self.invoked_function_arn = headers.get('Lambda-Runtime-Invoked-Function-Arn')
        self.deadline_ms = int(headers['Lambda-Runtime-Deadline-Ms'])
        self.function_name = os.environ.get('AWS_LAMBDA_FUNCTION_NAME')


def main():
    require_loopback_endpoint()
    try:
        import lambda_function
    except Exception as exc:
        post('/init/error', error_body(exc), {'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError'})
        raise
    while True:
        with urllib.request.urlopen(API + '/invocation/next') as response:
            headers = response.headers
            payload = response.read()
        context = Context(headers)
        try:
            result = lambda_function.lambda_handler(json.loads(payload), context)
            body = json.dumps(result).encode()
        except Exception as exc:
            post('/invocation/{}/error'.format(context.aws_request_id), error_body(exc),
                 {'Lambda-Runtime-Function-Error-Type': 'Unhandled'})
            continue
        post('/invocation/{}/response'.format(context.aws_request_id), body)


if __name__ == '__main__':
    main()
