#!/usr/bin/env bash
# Build HelloAPI's container image, push it to ECR with a unique tag and roll it out with ecs-stack.yaml.
# Run ./scripts/deploy-aws.sh --help for the options; docs/deploy-ecs.md for the whole story.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/deploy-aws.sh [options] [--] [Key=Value ...]

Builds the jar (./mvnw -B -DskipTests package), builds container/Dockerfile, makes sure the ECR repository
exists (scan on push), pushes the image as <git-short-sha>-<UTC timestamp>, deploys ecs-stack.yaml with
ImageUri=<that image> (a rolling ECS deployment), waits until the service is stable and prints the API URL.

Options:
  -r, --region REGION        AWS region            (env AWS_REGION, AWS_DEFAULT_REGION, then the CLI profile)
  -s, --stack-name NAME      CloudFormation stack  (env STACK_NAME, default: helloapi)
      --repository NAME      ECR repository        (env ECR_REPOSITORY, default: helloapi)
  -p, --parameter Key=Value  Extra stack parameter override; repeatable. Words after -- are overrides too,
                             as are the space-separated words of env PARAMETER_OVERRIDES.
      --image-tag TAG        Deploy an image tag already in ECR: no build, no push (use it to roll back).
      --dry-run              Print every command instead of running it (needs no AWS account, credentials
                             or Docker engine; values only AWS could tell are shown as <placeholders>).
  -h, --help                 Show this help.

Examples:
  scripts/deploy-aws.sh --region eu-west-1
  scripts/deploy-aws.sh -p CertificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/abc -p DbMultiAZ=true
  scripts/deploy-aws.sh --image-tag 1a2b3c4-20250101T120000Z        # roll back to an earlier image
  STACK_NAME=helloapi-staging scripts/deploy-aws.sh --dry-run
USAGE
}

die() {
  printf 'deploy-aws.sh: %s\n' "$*" >&2
  exit 1
}

# Progress and dry-run output go to fd 3 (the script's stdout), also from inside $(...).
exec 3>&1

log() {
  printf '\n==> %s\n' "$*" >&3
}

# One argument as a shell word: bare when safe (placeholders such as <region> included), else single-quoted.
shell_word() {
  if [[ "$1" =~ ^[A-Za-z0-9_@%+=:,./\<\>-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

# A command line as it would be typed.
command_line() {
  local line="" arg
  for arg in "$@"; do
    line+="${line:+ }$(shell_word "$arg")"
  done
  printf '%s' "$line"
}

# Runs a command, or with --dry-run prints it instead.
run() {
  if [[ "$dry_run" == true ]]; then
    printf '+ %s\n' "$(command_line "$@")" >&3
  else
    "$@"
  fi
}

# Prints a command's output, or with --dry-run prints the command and returns a placeholder.
capture() {
  local placeholder=$1
  shift
  if [[ "$dry_run" == true ]]; then
    run "$@"
    printf '%s\n' "$placeholder"
  else
    "$@"
  fi
}

region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
stack_name=${STACK_NAME:-helloapi}
repository=${ECR_REPOSITORY:-helloapi}
image_tag=""
dry_run=false
overrides=()
if [[ -n "${PARAMETER_OVERRIDES:-}" ]]; then
  read -r -a overrides <<<"$PARAMETER_OVERRIDES"
fi

while [[ $# -gt 0 ]]; do
  case "$1" in
    -r | --region)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      region=$2
      shift 2
      ;;
    -s | --stack-name)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      stack_name=$2
      shift 2
      ;;
    --repository)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      repository=$2
      shift 2
      ;;
    -p | --parameter)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      overrides+=("$2")
      shift 2
      ;;
    --image-tag)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      image_tag=$2
      shift 2
      ;;
    --dry-run)
      dry_run=true
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      overrides+=("$@")
      break
      ;;
    *)
      die "unknown option: $1 (see --help)"
      ;;
  esac
done

for override in ${overrides[@]+"${overrides[@]}"}; do
  [[ "$override" == *=* ]] || die "parameter override '$override' is not Key=Value"
  [[ "$override" != ImageUri=* ]] || die "ImageUri is set by this script; use --image-tag to choose an existing image"
done

# Everything below runs from the repository root (mvnw, container/Dockerfile, ecs-stack.yaml).
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

if [[ "$dry_run" == false ]]; then
  command -v aws >/dev/null || die "the AWS CLI v2 is required (https://aws.amazon.com/cli/)"
  if [[ -z "$image_tag" ]]; then
    command -v docker >/dev/null || die "docker is required to build and push the image"
  fi
  if [[ -z "$region" ]]; then
    region=$(aws configure get region || true)
  fi
  [[ -n "$region" ]] || die "no region: pass --region or set AWS_REGION"
else
  region=${region:-<region>}
fi

log "Account"
account_id=$(capture '<account-id>' aws sts get-caller-identity --query Account --output text)
registry="${account_id}.dkr.ecr.${region}.amazonaws.com"
image_repository="${registry}/${repository}"

if [[ -z "$image_tag" ]]; then
  # Unique and traceable: the commit (marked -dirty with uncommitted changes) plus the build time in UTC.
  git_sha=$(git rev-parse --short HEAD 2>/dev/null || echo nogit)
  if [[ "$git_sha" != nogit ]] && ! git diff --quiet HEAD -- 2>/dev/null; then
    git_sha="${git_sha}-dirty"
  fi
  image_tag="${git_sha}-$(date -u +%Y%m%dT%H%M%SZ)"
  image_uri="${image_repository}:${image_tag}"

  log "Build the jar"
  run ./mvnw -B -DskipTests package

  log "Build the image ${image_uri}"
  run docker build --platform linux/amd64 -f container/Dockerfile -t "$image_uri" .

  log "Ensure the ECR repository ${repository}"
  describe_repository=(aws ecr describe-repositories --region "$region" --repository-names "$repository")
  create_repository=(aws ecr create-repository --region "$region" --repository-name "$repository"
    --image-scanning-configuration scanOnPush=true --image-tag-mutability IMMUTABLE)
  if [[ "$dry_run" == true ]]; then
    printf '+ %s >/dev/null 2>&1 || %s\n' "$(command_line "${describe_repository[@]}")" \
      "$(command_line "${create_repository[@]}")" >&3
  elif ! "${describe_repository[@]}" >/dev/null 2>&1; then
    "${create_repository[@]}" >/dev/null
  fi

  log "Log in to ${registry}"
  if [[ "$dry_run" == true ]]; then
    printf '+ %s | %s\n' "$(command_line aws ecr get-login-password --region "$region")" \
      "$(command_line docker login --username AWS --password-stdin "$registry")" >&3
  else
    aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
  fi

  log "Push ${image_uri}"
  run docker push "$image_uri"
else
  image_uri="${image_repository}:${image_tag}"
  log "Check that ${image_uri} exists (no build)"
  run aws ecr describe-images --region "$region" --repository-name "$repository" \
    --image-ids "imageTag=${image_tag}" --query 'imageDetails[0].imageTags' --output text
fi

log "Deploy stack ${stack_name} with ${image_uri}"
run aws cloudformation deploy --region "$region" \
  --template-file ecs-stack.yaml \
  --stack-name "$stack_name" \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --parameter-overrides "ImageUri=${image_uri}" ${overrides[@]+"${overrides[@]}"}

output() {
  capture "<$1>" aws cloudformation describe-stacks --region "$region" --stack-name "$stack_name" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

log "Wait for the service to become stable"
cluster_name=$(output ClusterName)
service_name=$(output ServiceName)
run aws ecs wait services-stable --region "$region" --cluster "$cluster_name" --services "$service_name"

api_url=$(output ApiUrl)
log "Deployed ${image_uri}"
printf 'API URL: %s\n' "$api_url" >&3
printf 'Try:     curl %s/api/users/\n' "$api_url" >&3
