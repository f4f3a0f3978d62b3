#!/usr/bin/env bash
# Build HelloAPI's container image for the stack's CPU architecture, push it to ECR with a unique tag, migrate the
# database with it and then roll it out with ecs-stack.yaml. Run ./scripts/deploy-aws.sh --help for the options;
# docs/deploy-ecs.md for the whole story.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/deploy-aws.sh [options] [--] [Key=Value ...]

Before anything else it makes sure the account has ECS's service-linked role (a brand-new account may not) and that
the stack is not stuck after a failed first create (ROLLBACK_COMPLETE). Then it builds container/Dockerfile (which
builds the jar itself) with docker buildx for the stack's CpuArchitecture (ARM64 -> linux/arm64, X86_64 ->
linux/amd64), makes sure the ECR repository exists (scan on push, immutable tags, a lifecycle policy) and pushes the
image as <git-short-sha>-<UTC timestamp>. Then, in this order:
  1. deploys ecs-stack.yaml with MigrationImageUri=<that image>; the serving tasks keep their image
     (on the stack's first deploy they start with the new one, as nothing older exists);
  2. runs the migration task once (the image with the argument "migrate", as the schema owner), waits for it
     to stop and aborts the deploy unless it exited 0;
  3. if the runtime database secret was never rotated, starts its first rotation (the role it rotates exists
     once the migration ran) and waits for it;
  4. deploys ecs-stack.yaml with ImageUri=<that image> (a rolling ECS deployment), waits until the service is
     stable and prints the API URL.
Every stack deploy passes CpuArchitecture explicitly, so the task definitions and the image always agree.

Options:
  -r, --region REGION        AWS region            (env AWS_REGION, AWS_DEFAULT_REGION, then the CLI profile)
  -s, --stack-name NAME      CloudFormation stack  (env STACK_NAME, default: helloapi; at most 29 characters, every
                             physical name derives from it, so stacks of different names never collide)
      --repository NAME      ECR repository        (env ECR_REPOSITORY, default: helloapi)
      --keep-images N        ECR lifecycle policy: keep the newest N images (env ECR_KEEP_IMAGES, default 30);
                             untagged images expire after one day
  -p, --parameter Key=Value  Extra stack parameter override; repeatable. Words after -- are overrides too,
                             as are the space-separated words of env PARAMETER_OVERRIDES. Not ImageUri nor
                             MigrationImageUri: this script sets them. CpuArchitecture=ARM64|X86_64 picks the
                             image platform too; without it an existing stack keeps its value, a new one gets
                             the template's default (ARM64).
      --image-tag TAG        Deploy an image tag already in ECR: no build, no push (use it to roll back; its
                             migration step finds nothing to do, Flyway ignores newer applied migrations). The
                             image must have been built for the stack's CpuArchitecture.
      --delete-failed-stack  If the stack is in ROLLBACK_COMPLETE (its first create failed; nothing in it runs),
                             delete it and create it again instead of stopping.
      --dry-run              Print every command instead of running it (needs no AWS account, credentials
                             or Docker engine; values only AWS could tell are shown as <placeholders>, and the
                             stack is taken to be new).
  -h, --help                 Show this help.

Examples:
  scripts/deploy-aws.sh --region eu-west-1 -p DomainName=api.example.com -p HostedZoneId=Z0123456789ABCDEFGHIJ
  scripts/deploy-aws.sh --region eu-west-1 -p Environment=development     # plain HTTP, mostly Spot, no WAF
  scripts/deploy-aws.sh -p CpuArchitecture=X86_64 -p Environment=development
  scripts/deploy-aws.sh --image-tag 1a2b3c4-20250101T120000Z        # roll back to an earlier image
  STACK_NAME=helloapi-staging scripts/deploy-aws.sh --dry-run -p Environment=development
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

# With --dry-run, a line saying what happens only in some cases.
note() {
  printf '+ # %s\n' "$*" >&3
}

region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
stack_name=${STACK_NAME:-helloapi}
repository=${ECR_REPOSITORY:-helloapi}
keep_images=${ECR_KEEP_IMAGES:-30}
image_tag=""
dry_run=false
delete_failed_stack=false
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
    --keep-images)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      keep_images=$2
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
    --delete-failed-stack)
      delete_failed_stack=true
      shift
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

[[ "$keep_images" =~ ^[1-9][0-9]*$ ]] || die "--keep-images must be a positive number, not '${keep_images}'"
# The target group's name, <stack>-tg, may have at most 32 characters.
[[ "$stack_name" =~ ^[A-Za-z][A-Za-z0-9-]{0,28}$ ]] ||
  die "stack name '${stack_name}' must start with a letter and have at most 29 letters, digits and hyphens"

# CpuArchitecture is taken out of the overrides: the script decides it once and passes it to every stack deploy.
architecture_override=""
stack_overrides=()
for override in ${overrides[@]+"${overrides[@]}"}; do
  [[ "$override" == *=* ]] || die "parameter override '$override' is not Key=Value"
  case "$override" in
    ImageUri=* | MigrationImageUri=*)
      die "${override%%=*} is set by this script; use --image-tag to choose an existing image"
      ;;
    CpuArchitecture=*)
      architecture_override=${override#*=}
      ;;
    *)
      stack_overrides+=("$override")
      ;;
  esac
done

# The value a Key=Value override gives, empty if none does.
override_value() {
  local override value=""
  for override in ${overrides[@]+"${overrides[@]}"}; do
    [[ "$override" == "$1="* ]] && value=${override#*=}
  done
  printf '%s' "$value"
}

# Everything below runs from the repository root (container/Dockerfile, ecs-stack.yaml).
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

if [[ "$dry_run" == false ]]; then
  command -v aws >/dev/null || die "the AWS CLI v2 is required (https://aws.amazon.com/cli/)"
  if [[ -z "$image_tag" ]]; then
    command -v docker >/dev/null || die "docker with buildx is required to build and push the image"
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

# --- A new account: ECS's service-linked role. ------------------------------------------------------------------------
# ECS creates it on first use, but a stack's very first cluster can fail before that happens ("Unable to assume the
# service linked role"). IAM is global, so no region.
log "Make sure ECS's service-linked role exists (a new account may not have it yet)"
get_ecs_role=(aws iam get-role --role-name AWSServiceRoleForECS)
create_ecs_role=(aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com)
if [[ "$dry_run" == true ]]; then
  printf '+ %s >/dev/null 2>&1 || %s\n' "$(command_line "${get_ecs_role[@]}")" \
    "$(command_line "${create_ecs_role[@]}")" >&3
elif ! "${get_ecs_role[@]}" >/dev/null 2>&1; then
  # Another deploy may create it at the same moment: then get-role succeeds afterwards.
  "${create_ecs_role[@]}" >/dev/null 2>&1 || "${get_ecs_role[@]}" >/dev/null 2>&1 ||
    die "cannot create ECS's service-linked role (needs iam:CreateServiceLinkedRole);" \
      "run: $(command_line "${create_ecs_role[@]}")"
fi

# --- The stack's state. -----------------------------------------------------------------------------------------------
# Prints the result of a describe-stacks query, nothing if the stack does not exist; any other failure stops the
# deploy. With --dry-run the stack is taken to be new.
stack_query() {
  local query=$1 result
  local describe=(aws cloudformation describe-stacks --region "$region" --stack-name "$stack_name"
    --query "$query" --output text)
  if [[ "$dry_run" == true ]]; then
    run "${describe[@]}"
    return 0
  fi
  if ! result=$("${describe[@]}" 2>&1); then
    [[ "$result" == *"does not exist"* ]] || die "cannot describe stack ${stack_name}: ${result}"
    return 0
  fi
  [[ "$result" == None ]] || printf '%s\n' "$result"
}

log "State of stack ${stack_name}"
stack_status=$(stack_query 'Stacks[0].StackStatus')
if [[ "$dry_run" == true ]]; then
  if [[ "$delete_failed_stack" == true ]]; then
    note "if it is ROLLBACK_COMPLETE (a first create failed, nothing in it runs), delete it and create it again:"
    run aws cloudformation delete-stack --region "$region" --stack-name "$stack_name"
    run aws cloudformation wait stack-delete-complete --region "$region" --stack-name "$stack_name"
  else
    note "if it is ROLLBACK_COMPLETE (a first create failed), stop and say how to delete it (or use --delete-failed-stack)"
  fi
  note "if an operation is in progress or a rollback failed, stop and say what to do"
fi
case "$stack_status" in
  "" | CREATE_COMPLETE | UPDATE_COMPLETE | UPDATE_ROLLBACK_COMPLETE | IMPORT_COMPLETE | IMPORT_ROLLBACK_COMPLETE) ;;
  ROLLBACK_COMPLETE)
    if [[ "$delete_failed_stack" != true ]]; then
      die "stack ${stack_name} is in ROLLBACK_COMPLETE: its first create failed and rolled back, so nothing in it" \
        "runs and CloudFormation cannot update it. See why with: aws cloudformation describe-stack-events" \
        "--region ${region} --stack-name ${stack_name} --query \"StackEvents[?contains(ResourceStatus,'FAILED')]\"" \
        "Then delete it (aws cloudformation delete-stack --region ${region} --stack-name ${stack_name}) and run this" \
        "script again, or run it again with --delete-failed-stack to do both."
    fi
    log "Delete stack ${stack_name} (ROLLBACK_COMPLETE after a failed first create) and create it again"
    aws cloudformation delete-stack --region "$region" --stack-name "$stack_name"
    aws cloudformation wait stack-delete-complete --region "$region" --stack-name "$stack_name" ||
      die "stack ${stack_name} could not be deleted; see aws cloudformation describe-stack-events"
    stack_status=""
    ;;
  *_IN_PROGRESS)
    die "stack ${stack_name} is ${stack_status}: wait until that operation ends" \
      "(aws cloudformation describe-stacks --region ${region} --stack-name ${stack_name}) and run this script again"
    ;;
  UPDATE_ROLLBACK_FAILED)
    die "stack ${stack_name} is UPDATE_ROLLBACK_FAILED: fix what the stack events name, then" \
      "aws cloudformation continue-update-rollback --region ${region} --stack-name ${stack_name}, and run this again"
    ;;
  *)
    die "stack ${stack_name} is ${stack_status} and cannot be deployed to; see aws cloudformation" \
      "describe-stack-events --region ${region} --stack-name ${stack_name} (a failed delete or rollback may need" \
      "delete-stack with --retain-resources)"
    ;;
esac

# Whether the stack already runs a migration task definition (step 1 below); a new stack does not.
existing_migration=""
if [[ -n "$stack_status" || "$dry_run" == true ]]; then
  existing_migration=$(stack_query "Stacks[0].Outputs[?OutputKey=='MigrationTaskDefinitionArn'].OutputValue")
fi

# A new stack in the production Environment (the default) must serve HTTPS, or ecs-stack.yaml's rule refuses its change
# set after the image was built: say so before building.
if [[ -z "$stack_status" ]] && [[ "$(override_value Environment)" != development ]] &&
  [[ "$(override_value AllowPlainHttp)" != true ]] && [[ -z "$(override_value CertificateArn)" ]] &&
  [[ -z "$(override_value DomainName)" || -z "$(override_value HostedZoneId)" ]]; then
  https_needed="a new production stack serves HTTPS only: pass -p DomainName=... -p HostedZoneId=... (the stack"
  https_needed+=" creates a DNS-validated certificate) or -p CertificateArn=..., or -p Environment=development"
  https_needed+=" (or -p AllowPlainHttp=true)"
  if [[ "$dry_run" == true ]]; then
    note "$https_needed"
  else
    die "$https_needed"
  fi
fi

# --- The CPU architecture: the image's platform follows the stack's CpuArchitecture. ---------------------------------
template_architecture=$(awk '/^  CpuArchitecture:/ { found = 1 } found && /^    Default:/ { print $2; exit }' ecs-stack.yaml)
if [[ -n "$architecture_override" ]]; then
  cpu_architecture=$architecture_override
else
  # aws cloudformation deploy keeps an existing stack's value; a new stack (or one older than the parameter) gets the
  # template's default.
  existing_architecture=""
  if [[ -n "$stack_status" || "$dry_run" == true ]]; then
    existing_architecture=$(stack_query "Stacks[0].Parameters[?ParameterKey=='CpuArchitecture'].ParameterValue")
  fi
  cpu_architecture=${existing_architecture:-$template_architecture}
fi
case "$cpu_architecture" in
  ARM64) platform=linux/arm64 ;;
  X86_64) platform=linux/amd64 ;;
  *) die "CpuArchitecture must be ARM64 or X86_64, not '${cpu_architecture}'" ;;
esac
log "CPU architecture ${cpu_architecture}: the image is built for ${platform}"

if [[ -z "$image_tag" ]]; then
  # Unique and traceable: the commit (marked -dirty with uncommitted changes) plus the build time in UTC.
  git_sha=$(git rev-parse --short HEAD 2>/dev/null || echo nogit)
  if [[ "$git_sha" != nogit ]] && ! git diff --quiet HEAD -- 2>/dev/null; then
    git_sha="${git_sha}-dirty"
  fi
  image_tag="${git_sha}-$(date -u +%Y%m%dT%H%M%SZ)"
  image_uri="${image_repository}:${image_tag}"

  log "Ensure the ECR repository ${repository} and its lifecycle policy"
  describe_repository=(aws ecr describe-repositories --region "$region" --repository-names "$repository")
  create_repository=(aws ecr create-repository --region "$region" --repository-name "$repository"
    --image-scanning-configuration scanOnPush=true --image-tag-mutability IMMUTABLE)
  if [[ "$dry_run" == true ]]; then
    printf '+ %s >/dev/null 2>&1 || %s\n' "$(command_line "${describe_repository[@]}")" \
      "$(command_line "${create_repository[@]}")" >&3
  elif ! "${describe_repository[@]}" >/dev/null 2>&1; then
    "${create_repository[@]}" >/dev/null
  fi
  # Untagged images (left behind by interrupted pushes) go after a day; of the tagged ones the newest keep_images
  # stay, enough to roll back (--image-tag) well beyond the image the service runs.
  lifecycle_policy='{"rules":[{"rulePriority":1,"description":"Expire untagged images after one day",'
  lifecycle_policy+='"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days",'
  lifecycle_policy+='"countNumber":1},"action":{"type":"expire"}},{"rulePriority":2,"description":"Keep the newest '
  lifecycle_policy+="${keep_images}"' images","selection":{"tagStatus":"any","countType":"imageCountMoreThan",'
  lifecycle_policy+='"countNumber":'"${keep_images}"'},"action":{"type":"expire"}}]}'
  run aws ecr put-lifecycle-policy --region "$region" --repository-name "$repository" \
    --lifecycle-policy-text "$lifecycle_policy" --query repositoryName --output text >/dev/null

  log "Log in to ${registry}"
  if [[ "$dry_run" == true ]]; then
    printf '+ %s | %s\n' "$(command_line aws ecr get-login-password --region "$region")" \
      "$(command_line docker login --username AWS --password-stdin "$registry")" >&3
  else
    aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
  fi

  # The Dockerfile builds the jar itself, so nothing is built on the host. Another platform than the host's needs
  # QEMU in the builder (the image's AOT cache is trained on the target platform).
  if [[ "$dry_run" == false ]] && ! docker buildx inspect --bootstrap 2>/dev/null | grep -q "$platform"; then
    die "docker buildx cannot build ${platform} here; install QEMU emulation" \
      "(docker run --privileged --rm tonistiigi/binfmt --install all) or pass -p CpuArchitecture=..."
  fi
  # RDS's CA bundle goes into the image (container/certs/README.txt), so that the tasks can verify the database's
  # certificate and name (DB_SSLMODE=verify-full): the current bundle at every build, since AWS rotates its CAs.
  log "Fetch the RDS CA bundle into container/certs/"
  run curl -fsSL --retry 3 -o container/certs/rds-global-bundle.pem \
    https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
  if [[ "$dry_run" == false ]] && ! grep -q "BEGIN CERTIFICATE" container/certs/rds-global-bundle.pem; then
    die "container/certs/rds-global-bundle.pem is not a PEM certificate bundle"
  fi
  # The base images by digest: the tags are resolved once, the build uses exactly those manifests (BuildKit named
  # contexts override the Dockerfile's FROM images), and the image's labels record them, so that any image can be
  # rebuilt from the same bases. BASE_IMAGE_DIGEST_JDK / BASE_IMAGE_DIGEST_JRE pin earlier digests instead.
  log "Resolve the base images to digests"
  base_args=()
  for base in eclipse-temurin:25-jdk eclipse-temurin:25-jre; do
    pinned_var="BASE_IMAGE_DIGEST_$(tr '[:lower:]' '[:upper:]' <<<"${base##*-}")"
    digest=${!pinned_var:-}
    if [[ -z "$digest" ]]; then
      digest=$(capture "<sha256 digest of ${base}>" \
        docker buildx imagetools inspect "$base" --format '{{json .Manifest.Digest}}' | tr -d '"')
    fi
    [[ "$dry_run" == true || "$digest" == sha256:* ]] || die "could not resolve ${base} to a digest: ${digest}"
    base_args+=(--build-context "${base}=docker-image://${base}@${digest}"
      --label "com.helloapi.base-image.${base##*-}=${base}@${digest}")
  done
  log "Build and push ${image_uri} for ${platform}"
  # One plain image manifest (no provenance attestation): nothing untagged hangs off it for the lifecycle policy.
  run docker buildx build --platform "$platform" --provenance=false "${base_args[@]}" -f container/Dockerfile \
    -t "$image_uri" --push .
else
  image_uri="${image_repository}:${image_tag}"
  log "Check that ${image_uri} exists (no build; it must be a ${platform} image)"
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
    --parameter-overrides "$@" "CpuArchitecture=${cpu_architecture}" ${stack_overrides[@]+"${stack_overrides[@]}"}
}

output() {
  capture "<$1>" aws cloudformation describe-stacks --region "$region" --stack-name "$stack_name" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

# --- 1. The migration task definition gets the new image; the service keeps running the previous one. ---------------
# A stack without the migration task (none yet, or one from before it existed) has no earlier image that could run
# against the new schema, so its serving tasks get the new image at once: they answer 503 until step 2 has migrated.
phase_one=("MigrationImageUri=${image_uri}")
if [[ -z "$existing_migration" ]]; then
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

# On-demand Fargate, whatever the service's Spot share: a migration should not be interrupted.
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
    note "every 10 s, for at most 10 minutes, until LastRotatedDate is set:"
    run aws secretsmanager describe-secret --region "$region" --secret-id "$runtime_secret" \
      --query LastRotatedDate --output text
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
