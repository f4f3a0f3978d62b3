#!/usr/bin/env bash
# Build HelloAPI's container image, push it to ECR with a unique tag, migrate the database with it and then roll it out
# with ecs-stack.yaml. Run ./scripts/deploy-aws.sh --help for the options; docs/deploy-ecs.md for the whole story.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/deploy-aws.sh [options] [--] [Key=Value ...]

Builds the jar (./mvnw -B -DskipTests package), builds container/Dockerfile, makes sure the ECR repository
exists (scan on push) and pushes the image as <git-short-sha>-<UTC timestamp>. Then, in this order:
  1. deploys ecs-stack.yaml with MigrationImageUri=<that image>; the serving tasks keep their image
     (on the stack's first deploy they start with the new one, as nothing older exists);
  2. runs the migration task once (the image with the argument "migrate", as the schema owner), waits for it
     to stop and aborts the deploy unless it exited 0;
  3. if the runtime database secret was never rotated, starts its first rotation (the role it rotates exists
     once the migration ran) and waits for it;
  4. deploys ecs-stack.yaml with ImageUri=<that image> (a rolling ECS deployment), waits until the service is
     stable and prints the API URL.

Options:
  -r, --region REGION        AWS region            (env AWS_REGION, AWS_DEFAULT_REGION, then the CLI profile)
  -s, --stack-name NAME      CloudFormation stack  (env STACK_NAME, default: helloapi)
      --repository NAME      ECR repository        (env ECR_REPOSITORY, default: helloapi)
  -p, --parameter Key=Value  Extra stack parameter override; repeatable. Words after -- are overrides too,
                             as are the space-separated words of env PARAMETER_OVERRIDES. Not ImageUri nor
                             MigrationImageUri: this script sets them.
      --image-tag TAG        Deploy an image tag already in ECR: no build, no push (use it to roll back; its
                             migration step finds nothing to do, Flyway ignores newer applied migrations).
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
  case "$override" in
    ImageUri=* | MigrationImageUri=*)
      die "${override%%=*} is set by this script; use --image-tag to choose an existing image"
      ;;
  esac
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

# The SecretsManager transform (the hosted rotation function of the runtime database secret) expands into a nested
# stack, hence CAPABILITY_AUTO_EXPAND; aws cloudformation deploy keeps the previous value of every parameter not given.
deploy_stack() {
  run aws cloudformation deploy --region "$region" \
    --template-file ecs-stack.yaml \
    --stack-name "$stack_name" \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
    --no-fail-on-empty-changeset \
    --parameter-overrides "$@" ${overrides[@]+"${overrides[@]}"}
}

output() {
  capture "<$1>" aws cloudformation describe-stacks --region "$region" --stack-name "$stack_name" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

# --- 1. The migration task definition gets the new image; the service keeps running the previous one. ---------------
# A stack without the migration task (none yet, or one from before it existed) has no earlier image that could run
# against the new schema, so its serving tasks get the new image at once: they answer 503 until step 2 has migrated.
describe_migration=(aws cloudformation describe-stacks --region "$region" --stack-name "$stack_name"
  --query "Stacks[0].Outputs[?OutputKey=='MigrationTaskDefinitionArn'].OutputValue" --output text)
if [[ "$dry_run" == true ]]; then
  existing_migration=$(capture '<MigrationTaskDefinitionArn>' "${describe_migration[@]}")
elif ! existing_migration=$("${describe_migration[@]}" 2>&1); then
  # Only a stack that does not exist yet may be told apart this way; any other failure stops the deploy.
  [[ "$existing_migration" == *"does not exist"* ]] || die "cannot describe stack ${stack_name}: ${existing_migration}"
  existing_migration=""
fi
phase_one=("MigrationImageUri=${image_uri}")
if [[ -z "$existing_migration" || "$existing_migration" == None ]]; then
  phase_one+=("ImageUri=${image_uri}")
  log "Deploy stack ${stack_name}: first deploy with a migration task, serving tasks start on ${image_uri} too"
else
  log "Deploy stack ${stack_name}: migration task definition on ${image_uri}, serving tasks unchanged"
fi
deploy_stack "${phase_one[@]}"

# --- 2. Migrate, exactly once, before any serving task runs the new image. --------------------------------------------
cluster_name=$(output ClusterName)
migration_task_definition=$(output MigrationTaskDefinitionArn)
task_subnets=$(output TaskSubnetIds)
task_security_group=$(output TaskSecurityGroupId)
task_public_ip=$(output TaskAssignPublicIp)

network="awsvpcConfiguration={subnets=[${task_subnets}],securityGroups=[${task_security_group}]"
network+=",assignPublicIp=${task_public_ip}}"

log "Run the database migration (${migration_task_definition})"
migration_task=$(capture '<migration-task-arn>' aws ecs run-task --region "$region" \
  --cluster "$cluster_name" \
  --task-definition "$migration_task_definition" \
  --launch-type FARGATE \
  --count 1 \
  --started-by deploy-aws.sh \
  --network-configuration "$network" \
  --query 'tasks[0].taskArn' --output text)
[[ -n "$migration_task" && "$migration_task" != None ]] ||
  die "ECS did not start the migration task (aws ecs run-task reported no task); nothing was rolled out"

log "Wait for the migration to finish"
run aws ecs wait tasks-stopped --region "$region" --cluster "$cluster_name" --tasks "$migration_task" ||
  die "the migration task ${migration_task} has not stopped yet; the service still runs its previous image"
migration_exit=$(capture 0 aws ecs describe-tasks --region "$region" --cluster "$cluster_name" \
  --tasks "$migration_task" --query 'tasks[0].containers[0].exitCode' --output text)
if [[ "$migration_exit" != 0 ]]; then
  migration_reason=$(aws ecs describe-tasks --region "$region" --cluster "$cluster_name" --tasks "$migration_task" \
    --query 'tasks[0].[stoppedReason, containers[0].reason]' --output text 2>/dev/null || true)
  migration_reason=${migration_reason//$'\t'/; }
  die "the migration failed (exit code ${migration_exit}; ${migration_reason:-no reason given});" \
    "the service still runs its previous image. Logs: aws logs tail $(output LogGroupName) --log-stream-name-prefix migrate --region ${region}"
fi

# --- 3. The first rotation of the runtime secret, once its role exists. -----------------------------------------------
# The stack creates the rotation schedule without rotating (RotateImmediatelyOnUpdate: false): helloapi_app is created
# by the migration. Rotations after this one are Secrets Manager's, weekly; running tasks follow them without a deploy.
runtime_secret=$(output DbSecretArn)
last_rotated=$(capture None aws secretsmanager describe-secret --region "$region" --secret-id "$runtime_secret" \
  --query LastRotatedDate --output text)
if [[ -z "$last_rotated" || "$last_rotated" == None ]]; then
  log "First rotation of the runtime database secret (helloapi_app and helloapi_app_clone)"
  run aws secretsmanager rotate-secret --region "$region" --secret-id "$runtime_secret" >/dev/null
  if [[ "$dry_run" == true ]]; then
    printf '+ # every 10 s, for at most 10 minutes, until LastRotatedDate is set:\n+ %s\n' "$(command_line \
      aws secretsmanager describe-secret --region "$region" --secret-id "$runtime_secret" \
      --query LastRotatedDate --output text)" >&3
  else
    for ((attempt = 1; ; attempt++)); do
      last_rotated=$(aws secretsmanager describe-secret --region "$region" --secret-id "$runtime_secret" \
        --query LastRotatedDate --output text)
      [[ -n "$last_rotated" && "$last_rotated" != None ]] && break
      ((attempt < 60)) || die "the first rotation of ${runtime_secret} has not finished after 10 minutes; see the" \
        "log of the rotation function (aws logs tail /aws/lambda/${stack_name}-db-secret-rotation --region ${region})"
      sleep 10
    done
  fi
fi

# --- 4. Roll the service onto the new image. --------------------------------------------------------------------------
log "Deploy stack ${stack_name}: serving tasks on ${image_uri}"
deploy_stack "ImageUri=${image_uri}" "MigrationImageUri=${image_uri}"

log "Wait for the service to become stable"
service_name=$(output ServiceName)
run aws ecs wait services-stable --region "$region" --cluster "$cluster_name" --services "$service_name"

api_url=$(output ApiUrl)
log "Deployed ${image_uri}"
printf 'API URL: %s\n' "$api_url" >&3
printf 'Try:     curl %s/api/users/\n' "$api_url" >&3
