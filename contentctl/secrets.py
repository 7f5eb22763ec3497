"""The environment variables that hold secrets: read from the environment, never written."""

POWERPOST_API_KEY = "POWERPOST_API_KEY"
POWERPOST_WORKSPACE_ID = "POWERPOST_WORKSPACE_ID"
POSTNITRO_API_KEY = "POSTNITRO_API_KEY"

# The token `contentctl github comment` uses: masked and redacted like the API keys.
GITHUB_TOKEN = "GITHUB_TOKEN"

SECRET_VARIABLES = (POWERPOST_API_KEY, POSTNITRO_API_KEY, GITHUB_TOKEN)
