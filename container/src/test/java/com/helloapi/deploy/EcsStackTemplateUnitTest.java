package com.helloapi.deploy;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.helloapi.testing.CloudFormationTemplate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.boot.convert.DurationStyle;

import static com.helloapi.testing.CloudFormationTemplate.intrinsic;
import static com.helloapi.testing.CloudFormationTemplate.list;
import static com.helloapi.testing.CloudFormationTemplate.map;
import static com.helloapi.testing.CloudFormationTemplate.ref;
import static com.helloapi.testing.CloudFormationTemplate.walk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ecs-stack.yaml against the seed architecture and issue 4: references resolve, the security-group graph is exactly the
 * seed's, the numbers (health check, ports, sizes, scaling) hold, the database is private and encrypted, and no secret
 * is ever a plain value. Needs no AWS account.
 */
class EcsStackTemplateUnitTest {

    private static final CloudFormationTemplate TEMPLATE = CloudFormationTemplate
        .load(CloudFormationTemplate.locate("ecs-stack.yaml"));

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private static final String ANYWHERE = "0.0.0.0/0";

    /** The match-nothing egress rule that replaces CloudFormation's default allow-all rule. */
    private static final String NO_EGRESS_PLACEHOLDER = "255.255.255.255/32";

    @Nested
    class References {

        @Test
        void refsNameAParameterResourceOrPseudoParameter() {
            Set<String> unresolved = walk(TEMPLATE.root()).map(CloudFormationTemplate::ref)
                .filter((target) -> target != null && !isDeclared(target))
                .collect(Collectors.toCollection(LinkedHashSet::new));
            assertThat(unresolved).as("Ref targets that are not declared").isEmpty();
        }

        @Test
        void getAttsNameAResource() {
            List<Object> getAtts = walk(TEMPLATE.root()).map((node) -> intrinsic(node, "Fn::GetAtt"))
                .filter((value) -> value != null)
                .toList();
            assertThat(getAtts).isNotEmpty();
            for (Object getAtt : getAtts) {
                List<Object> parts = list(getAtt);
                assertThat(parts).as("GetAtt %s", getAtt).hasSize(2);
                assertThat(TEMPLATE.resources()).as("GetAtt %s", getAtt).containsKey(parts.get(0).toString());
            }
        }

        @Test
        void subVariablesNameAParameterResourceOrLocalVariable() {
            List<Object> subs = walk(TEMPLATE.root()).map((node) -> intrinsic(node, "Fn::Sub"))
                .filter((value) -> value != null)
                .toList();
            assertThat(subs).isNotEmpty();
            Set<String> unresolved = new LinkedHashSet<>();
            for (Object sub : subs) {
                String text;
                Set<String> locals = new HashSet<>();
                if (sub instanceof List<?> form) {
                    text = form.get(0).toString();
                    locals.addAll(map(form.get(1)).keySet());
                }
                else {
                    text = sub.toString();
                }
                Matcher variable = SUB_VARIABLE.matcher(text);
                while (variable.find()) {
                    String expression = variable.group(1);
                    if (expression.startsWith("!")) {
                        continue; // ${!Literal} is a literal "${Literal}"
                    }
                    if (expression.startsWith("AWS::")) {
                        if (!CloudFormationTemplate.PSEUDO_PARAMETERS.contains(expression)) {
                            unresolved.add(expression);
                        }
                        continue;
                    }
                    int dot = expression.indexOf('.');
                    String name = (dot < 0) ? expression : expression.substring(0, dot);
                    boolean resolves = locals.contains(name) || ((dot < 0) ? isDeclared(name)
                            : TEMPLATE.resources().containsKey(name));
                    if (!resolves) {
                        unresolved.add(expression);
                    }
                }
            }
            assertThat(unresolved).as("Sub variables that are not declared").isEmpty();
        }

        @Test
        void conditionsUsedAreDeclared() {
            Set<String> used = new LinkedHashSet<>();
            TEMPLATE.resources().values().forEach((resource) -> addIfPresent(used, map(resource).get("Condition")));
            TEMPLATE.outputs().values().forEach((output) -> addIfPresent(used, map(output).get("Condition")));
            walk(TEMPLATE.root()).forEach((node) -> {
                addIfPresent(used, intrinsic(node, "Condition"));
                Object ifFunction = intrinsic(node, "Fn::If");
                if (ifFunction != null) {
                    used.add(list(ifFunction).get(0).toString());
                }
            });
            assertThat(used).isNotEmpty();
            assertThat(TEMPLATE.conditions().keySet()).containsAll(used);
        }

        @Test
        void dependsOnNamesResources() {
            for (Object resource : TEMPLATE.resources().values()) {
                Object dependsOn = map(resource).get("DependsOn");
                List<Object> targets = (dependsOn instanceof List<?>) ? list(dependsOn)
                        : (dependsOn != null) ? List.of(dependsOn) : List.of();
                targets.forEach((target) -> assertThat(TEMPLATE.resources()).containsKey(target.toString()));
            }
        }

        private static boolean isDeclared(String name) {
            return TEMPLATE.parameters().containsKey(name) || TEMPLATE.resources().containsKey(name)
                    || CloudFormationTemplate.PSEUDO_PARAMETERS.contains(name);
        }

        private static void addIfPresent(Set<String> names, Object name) {
            if (name instanceof String string) {
                names.add(string);
            }
        }

    }

    @Nested
    class SecurityGroups {

        @Test
        void graphIsExactlyTheSeeds() {
            assertThat(rules()).containsExactlyInAnyOrder(
                    new Rule("AlbSecurityGroup", "ingress", "cidr:" + ANYWHERE, "tcp", 80, 80),
                    new Rule("AlbSecurityGroup", "ingress", "cidr:" + ANYWHERE, "tcp", 443, 443),
                    new Rule("AlbSecurityGroup", "egress", "sg:EcsSecurityGroup", "tcp", 8000, 8000),
                    new Rule("EcsSecurityGroup", "ingress", "sg:AlbSecurityGroup", "tcp", 8000, 8000),
                    new Rule("EcsSecurityGroup", "egress", "sg:DbSecurityGroup", "tcp", 5432, 5432),
                    new Rule("EcsSecurityGroup", "egress", "cidr:" + ANYWHERE, "tcp", 443, 443),
                    new Rule("DbSecurityGroup", "ingress", "sg:EcsSecurityGroup", "tcp", 5432, 5432));
        }

        @Test
        void onlyTheThreeSeedGroupsExist() {
            assertThat(TEMPLATE.resourcesOfType("AWS::EC2::SecurityGroup"))
                .containsExactlyInAnyOrder("AlbSecurityGroup", "EcsSecurityGroup", "DbSecurityGroup");
        }

        @Test
        void everyGroupStatesItsEgressSoTheDefaultAllowAllIsRemoved() {
            for (String group : TEMPLATE.resourcesOfType("AWS::EC2::SecurityGroup")) {
                Object egress = TEMPLATE.properties(group).get("SecurityGroupEgress");
                assertThat(egress).as("%s SecurityGroupEgress", group).isInstanceOf(List.class);
                assertThat(list(egress)).as("%s SecurityGroupEgress", group).isNotEmpty();
            }
        }

        @Test
        void databaseGroupHasOnlyTheMatchNothingEgressRule() {
            List<Object> egress = list(TEMPLATE.properties("DbSecurityGroup").get("SecurityGroupEgress"));
            assertThat(egress).hasSize(1);
            Map<String, Object> rule = map(egress.get(0));
            assertThat(rule).containsEntry("CidrIp", NO_EGRESS_PLACEHOLDER).containsEntry("IpProtocol", "icmp");
        }

        @Test
        void eachGroupGuardsTheRightResource() {
            assertThat(refs(TEMPLATE.properties("LoadBalancer").get("SecurityGroups")))
                .containsExactly("AlbSecurityGroup");
            Map<String, Object> awsvpc = map(
                    map(TEMPLATE.properties("Service").get("NetworkConfiguration")).get("AwsvpcConfiguration"));
            assertThat(refs(awsvpc.get("SecurityGroups"))).containsExactly("EcsSecurityGroup");
            assertThat(refs(TEMPLATE.properties("Database").get("VPCSecurityGroups")))
                .containsExactly("DbSecurityGroup");
        }

        private static List<Rule> rules() {
            List<Rule> rules = new ArrayList<>();
            for (String group : TEMPLATE.resourcesOfType("AWS::EC2::SecurityGroup")) {
                Map<String, Object> properties = TEMPLATE.properties(group);
                for (Object ingress : optionalList(properties.get("SecurityGroupIngress"))) {
                    rules.add(rule(group, "ingress", map(ingress)));
                }
                for (Object egress : optionalList(properties.get("SecurityGroupEgress"))) {
                    rules.add(rule(group, "egress", map(egress)));
                }
            }
            for (String id : TEMPLATE.resourcesOfType("AWS::EC2::SecurityGroupIngress")) {
                Map<String, Object> properties = TEMPLATE.properties(id);
                rules.add(rule(groupId(properties.get("GroupId")), "ingress", properties));
            }
            for (String id : TEMPLATE.resourcesOfType("AWS::EC2::SecurityGroupEgress")) {
                Map<String, Object> properties = TEMPLATE.properties(id);
                rules.add(rule(groupId(properties.get("GroupId")), "egress", properties));
            }
            rules.removeIf((rule) -> rule.peer().equals("cidr:" + NO_EGRESS_PLACEHOLDER));
            return rules;
        }

        private static Rule rule(String group, String direction, Map<String, Object> rule) {
            String peer = null;
            for (String key : List.of("CidrIp", "CidrIpv6", "SourcePrefixListId", "DestinationPrefixListId")) {
                if (rule.containsKey(key)) {
                    peer = (key.startsWith("Cidr") ? "cidr:" : "prefix-list:") + rule.get(key);
                }
            }
            for (String key : List.of("SourceSecurityGroupId", "DestinationSecurityGroupId")) {
                if (rule.containsKey(key)) {
                    peer = "sg:" + groupId(rule.get(key));
                }
            }
            String protocol = String.valueOf(rule.get("IpProtocol"));
            return new Rule(group, direction, String.valueOf(peer), protocol.equals("6") ? "tcp" : protocol,
                    asInt(rule.get("FromPort")), asInt(rule.get("ToPort")));
        }

        /** The logical id behind {@code !Ref Group} or {@code !GetAtt Group.GroupId}. */
        private static String groupId(Object reference) {
            String target = ref(reference);
            if (target != null) {
                return target;
            }
            Object getAtt = intrinsic(reference, "Fn::GetAtt");
            if (getAtt != null && "GroupId".equals(list(getAtt).get(1))) {
                return list(getAtt).get(0).toString();
            }
            return "unresolved:" + reference;
        }

        private static List<Object> optionalList(Object node) {
            return (node != null) ? list(node) : List.of();
        }

        private static int asInt(Object value) {
            return (value != null) ? Integer.parseInt(value.toString()) : Integer.MIN_VALUE;
        }

        /** One allowed flow: a group, a direction, the other side (CIDR or group), protocol and port range. */
        record Rule(String group, String direction, String peer, String protocol, int fromPort, int toPort) {
        }

    }

    @Nested
    class Network {

        @Test
        void vpcAndSubnetsUseTheSeedsAddressPlan() {
            assertThat(TEMPLATE.properties("Vpc")).containsEntry("CidrBlock", "10.0.0.0/16")
                .containsEntry("EnableDnsSupport", true)
                .containsEntry("EnableDnsHostnames", true);
            assertThat(TEMPLATE.properties("PublicSubnet1")).containsEntry("CidrBlock", "10.0.1.0/24");
            assertThat(TEMPLATE.properties("PublicSubnet2")).containsEntry("CidrBlock", "10.0.2.0/24");
            assertThat(TEMPLATE.properties("PrivateSubnet1")).containsEntry("CidrBlock", "10.0.11.0/24");
            assertThat(TEMPLATE.properties("PrivateSubnet2")).containsEntry("CidrBlock", "10.0.12.0/24");
            for (String subnet : TEMPLATE.resourcesOfType("AWS::EC2::Subnet")) {
                Object availabilityZone = TEMPLATE.properties(subnet).get("AvailabilityZone");
                assertThat(intrinsic(list(intrinsic(availabilityZone, "Fn::Select")).get(1), "Fn::GetAZs"))
                    .as("%s picks its AZ with !GetAZs", subnet)
                    .isNotNull();
            }
        }

        @Test
        void tasksArePublicByDefaultAndPrivateBehindNatOnRequest() {
            assertThat(TEMPLATE.parameterDefault("TasksInPrivateSubnets")).isEqualTo("false");
            for (String id : List.of("NatEip", "NatGateway", "PrivateDefaultRoute")) {
                assertThat(TEMPLATE.resource(id)).as(id).containsEntry("Condition", "UsePrivateSubnets");
            }
            Map<String, Object> awsvpc = map(
                    map(TEMPLATE.properties("Service").get("NetworkConfiguration")).get("AwsvpcConfiguration"));
            assertThat(list(intrinsic(awsvpc.get("AssignPublicIp"), "Fn::If"))).containsExactly("UsePrivateSubnets",
                    "DISABLED", "ENABLED");
            List<Object> subnets = list(intrinsic(awsvpc.get("Subnets"), "Fn::If"));
            assertThat(refs(subnets.get(1))).containsExactly("PrivateSubnet1", "PrivateSubnet2");
            assertThat(refs(subnets.get(2))).containsExactly("PublicSubnet1", "PublicSubnet2");
        }

    }

    @Nested
    class LoadBalancing {

        @Test
        void targetGroupChecksHealthOnTheSeedsSchedule() {
            Map<String, Object> targetGroup = TEMPLATE.properties("TargetGroup");
            assertThat(targetGroup).containsEntry("Name", "helloapi-tg")
                .containsEntry("TargetType", "ip")
                .containsEntry("Protocol", "HTTP")
                .containsEntry("Port", 8000)
                .containsEntry("HealthCheckIntervalSeconds", 30)
                .containsEntry("HealthCheckTimeoutSeconds", 5)
                .containsEntry("HealthyThresholdCount", 2)
                .containsEntry("UnhealthyThresholdCount", 3);
            assertThat(ref(targetGroup.get("HealthCheckPath"))).isEqualTo("HealthCheckPath");
            assertThat(TEMPLATE.parameterDefault("HealthCheckPath")).isEqualTo("/actuator/health/readiness");
        }

        @Test
        void deregistrationDelayAndStopTimeoutCoverTheGracefulShutdown() {
            int gracefulShutdownSeconds = 20;
            Map<String, Object> attributes = keyValues(TEMPLATE.properties("TargetGroup").get("TargetGroupAttributes"));
            assertThat(attributes).containsEntry("deregistration_delay.timeout_seconds", "30");
            Object stopTimeout = container().get("StopTimeout");
            assertThat(stopTimeout).isEqualTo(30);
            assertThat((int) stopTimeout).isGreaterThan(gracefulShutdownSeconds);
        }

        @Test
        void tasksKeepIdleConnectionsOpenLongerThanTheLoadBalancer() throws Exception {
            Map<String, Object> attributes = keyValues(TEMPLATE.properties("LoadBalancer").get("LoadBalancerAttributes"));
            Duration albIdle = Duration.ofSeconds(Long.parseLong((String) attributes.get("idle_timeout.timeout_seconds")));
            Map<String, Object> tomcat;
            try (InputStream yaml = getClass().getResourceAsStream("/config/application.yaml")) {
                tomcat = map(map(map(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml)).get("server"))
                    .get("tomcat"));
            }
            Duration keepAlive = DurationStyle.detectAndParse((String) tomcat.get("keep-alive-timeout"));

            assertThat(keepAlive).as("Tomcat must never close an idle connection the ALB may still use")
                .isGreaterThan(albIdle);
        }

        @Test
        void httpListensOn80AndHttpsOn443WithACertificate() {
            assertThat(TEMPLATE.properties("HttpListener")).containsEntry("Port", 80).containsEntry("Protocol", "HTTP");
            assertThat(TEMPLATE.resource("HttpsListener")).containsEntry("Condition", "HasCertificate");
            assertThat(TEMPLATE.properties("HttpsListener")).containsEntry("Port", 443)
                .containsEntry("Protocol", "HTTPS")
                .containsEntry("SslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assertThat(TEMPLATE.resource("HttpToHttpsRedirectRule")).containsEntry("Condition", "HasCertificate");
            Map<String, Object> redirect = map(
                    map(list(TEMPLATE.properties("HttpToHttpsRedirectRule").get("Actions")).get(0))
                        .get("RedirectConfig"));
            assertThat(redirect).containsEntry("Protocol", "HTTPS").containsEntry("Port", "443");
            assertThat(TEMPLATE.properties("LoadBalancer")).containsEntry("Scheme", "internet-facing");
        }

        @Test
        void customDomainIsOptional() {
            assertThat(TEMPLATE.resource("DnsRecord")).containsEntry("Condition", "HasCustomDomain");
            assertThat(TEMPLATE.parameterDefault("DomainName")).isEmpty();
            assertThat(TEMPLATE.parameterDefault("HostedZoneId")).isEmpty();
        }

    }

    @Nested
    class Tasks {

        @Test
        void clusterHasContainerInsights() {
            Map<String, Object> cluster = TEMPLATE.properties("Cluster");
            assertThat(cluster).containsEntry("ClusterName", "helloapi-cluster");
            assertThat(keyValues(cluster.get("ClusterSettings"), "Name", "Value")).containsEntry("containerInsights",
                    "enabled");
        }

        @Test
        void taskIsHalfAVcpuAndOneGigabyteOnFargate() {
            Map<String, Object> task = TEMPLATE.properties("TaskDefinition");
            assertThat(ref(task.get("Cpu"))).isEqualTo("TaskCpu");
            assertThat(ref(task.get("Memory"))).isEqualTo("TaskMemory");
            assertThat(TEMPLATE.parameterDefault("TaskCpu")).isEqualTo("512");
            assertThat(TEMPLATE.parameterDefault("TaskMemory")).isEqualTo("1024");
            assertThat(task).containsEntry("NetworkMode", "awsvpc").containsEntry("RequiresCompatibilities",
                    List.of("FARGATE"));
        }

        @Test
        void containerListensOn8000AndTheServiceRoutesThere() {
            assertThat(list(container().get("PortMappings"))).containsExactly(Map.of("ContainerPort", 8000,
                    "Protocol", "tcp"));
            assertThat(environment()).containsEntry("PORT", "8000").containsEntry("DB_NAME", "my_database");
            Map<String, Object> loadBalancer = map(list(TEMPLATE.properties("Service").get("LoadBalancers")).get(0));
            assertThat(loadBalancer).containsEntry("ContainerPort", 8000).containsEntry("ContainerName", "helloapi");
        }

        @Test
        void containerGetsTheDatabaseSettingsTheAppReads() {
            assertThat(environment()).containsOnlyKeys("PORT", "DB_HOST", "DB_PORT", "DB_NAME", "DB_SSLMODE",
                    "CLOUDWATCH_METRICS_ENABLED", "JAVA_TOOL_OPTIONS");
            assertThat(environment().get("CLOUDWATCH_METRICS_ENABLED")).isEqualTo("true");
            assertThat(environment().get("DB_HOST")).isEqualTo(Map.of("Fn::GetAtt", List.of("Database",
                    "Endpoint.Address")));
            assertThat(environment().get("DB_PORT")).isEqualTo(Map.of("Fn::GetAtt", List.of("Database",
                    "Endpoint.Port")));
            assertThat(ref(environment().get("DB_SSLMODE"))).isEqualTo("DbSslMode");
            assertThat(TEMPLATE.parameterDefault("DbSslMode")).isEqualTo("require");
            assertThat(list(map(TEMPLATE.parameters().get("DbSslMode")).get("AllowedValues")))
                .containsExactlyInAnyOrder("disable", "require", "verify-full");
        }

        @Test
        void logsGoToALogGroupWithRetention() {
            Map<String, Object> logging = map(container().get("LogConfiguration"));
            assertThat(logging).containsEntry("LogDriver", "awslogs");
            assertThat(ref(map(logging.get("Options")).get("awslogs-group"))).isEqualTo("LogGroup");
            assertThat(ref(TEMPLATE.properties("LogGroup").get("RetentionInDays"))).isEqualTo("LogRetentionDays");
        }

        @Test
        void serviceRollsOutSafelyWithTwoTasks() {
            Map<String, Object> service = TEMPLATE.properties("Service");
            assertThat(ref(service.get("DesiredCount"))).isEqualTo("MinTaskCount");
            assertThat(TEMPLATE.parameterDefault("MinTaskCount")).isEqualTo("2");
            assertThat(service).containsEntry("HealthCheckGracePeriodSeconds", 60).containsEntry("LaunchType",
                    "FARGATE");
            Map<String, Object> deployment = map(service.get("DeploymentConfiguration"));
            assertThat(deployment).containsEntry("MinimumHealthyPercent", 100)
                .containsEntry("MaximumPercent", 200)
                .containsEntry("DeploymentCircuitBreaker", Map.of("Enable", true, "Rollback", true));
            assertThat(ref(service.get("EnableExecuteCommand"))).isEqualTo("EnableExecuteCommand");
            assertThat(TEMPLATE.parameterDefault("EnableExecuteCommand")).isEqualTo("false");
        }

        @Test
        void scalesBetweenTwoAndTenTasksOnSeventyPercentCpu() {
            Map<String, Object> target = TEMPLATE.properties("ScalableTarget");
            assertThat(ref(target.get("MinCapacity"))).isEqualTo("MinTaskCount");
            assertThat(ref(target.get("MaxCapacity"))).isEqualTo("MaxTaskCount");
            assertThat(TEMPLATE.parameterDefault("MaxTaskCount")).isEqualTo("10");
            Map<String, Object> tracking = map(
                    TEMPLATE.properties("CpuScalingPolicy").get("TargetTrackingScalingPolicyConfiguration"));
            assertThat(tracking).containsEntry("TargetValue", 70);
            assertThat(map(tracking.get("PredefinedMetricSpecification"))).containsEntry("PredefinedMetricType",
                    "ECSServiceAverageCPUUtilization");
            assertThat((int) tracking.get("ScaleOutCooldown")).isLessThan((int) tracking.get("ScaleInCooldown"));
        }

        @Test
        void taskRoleMayOnlyPublishItsOwnMetricsAndUseEcsExecWhenEnabled() {
            List<Object> policies = list(TEMPLATE.properties("TaskRole").get("Policies"));
            assertThat(policies).hasSize(2);

            Map<String, Object> metrics = map(policies.get(0));
            Set<String> metricActions = actions(metrics);
            assertThat(metricActions).containsExactly("cloudwatch:PutMetricData");
            assertThat(walk(metrics).anyMatch("HelloAPI"::equals)).as("limited to the HelloAPI namespace").isTrue();

            List<Object> exec = list(intrinsic(policies.get(1), "Fn::If"));
            assertThat(exec.get(0)).isEqualTo("ExecEnabled");
            assertThat(ref(exec.get(2))).isEqualTo("AWS::NoValue");
            assertThat(actions(exec.get(1))).allMatch((action) -> action.startsWith("ssmmessages:"));
        }

        private Set<String> actions(Object policy) {
            return walk(policy).filter((node) -> node instanceof String)
                .map(Object::toString)
                .filter((value) -> value.matches("[a-z0-9]+:[A-Za-z]+"))
                .collect(Collectors.toSet());
        }

    }

    @Nested
    class Database {

        @Test
        void isPostgres15OnASmallGp3Instance() {
            Map<String, Object> database = TEMPLATE.properties("Database");
            assertThat(database).containsEntry("Engine", "postgres")
                .containsEntry("StorageType", "gp3")
                .containsEntry("DBName", "my_database");
            assertThat(TEMPLATE.parameterDefault("DbEngineVersion")).matches("15\\.\\d+");
            assertThat(TEMPLATE.parameterDefault("DbInstanceClass")).isEqualTo("db.t3.micro");
            assertThat(TEMPLATE.parameterDefault("DbAllocatedStorage")).isEqualTo("20");
            assertThat(TEMPLATE.parameterDefault("DbMultiAZ")).isEqualTo("false");
            assertThat(ref(database.get("MultiAZ"))).isEqualTo("DbMultiAZ");
        }

        @Test
        void isPrivateEncryptedAndManagesItsOwnPassword() {
            Map<String, Object> database = TEMPLATE.properties("Database");
            assertThat(database).containsEntry("PubliclyAccessible", false)
                .containsEntry("StorageEncrypted", true)
                .containsEntry("ManageMasterUserPassword", true)
                .doesNotContainKey("MasterUserPassword");
            assertThat(refs(TEMPLATE.properties("DbSubnetGroup").get("SubnetIds")))
                .containsExactly("PrivateSubnet1", "PrivateSubnet2");
        }

        @Test
        void leavesASnapshotWhenDeletedOrReplaced() {
            assertThat(TEMPLATE.resource("Database")).containsEntry("DeletionPolicy", "Snapshot")
                .containsEntry("UpdateReplacePolicy", "Snapshot");
            assertThat(ref(TEMPLATE.properties("Database").get("DeletionProtection")))
                .isEqualTo("DbDeletionProtection");
            assertThat(Integer.parseInt(TEMPLATE.parameterDefault("DbBackupRetentionDays"))).isPositive();
        }

        @Test
        void enforcesTlsThroughTheParameterGroup() {
            Map<String, Object> parameterGroup = TEMPLATE.properties("DbParameterGroup");
            assertThat(parameterGroup).containsEntry("Family", "postgres15");
            assertThat(map(parameterGroup.get("Parameters"))).containsEntry("rds.force_ssl",
                    Map.of("Fn::If", List.of("ForceSsl", "1", "0")));
            assertThat(TEMPLATE.parameterDefault("DbForceSsl")).isEqualTo("true");
            assertThat(ref(TEMPLATE.properties("Database").get("DBParameterGroupName"))).isEqualTo("DbParameterGroup");
        }

    }

    @Nested
    class Secrets {

        @Test
        void noEnvironmentVariableCarriesASecret() {
            assertThat(environment().keySet())
                .noneMatch((name) -> name.contains("PASSWORD") || name.contains("SECRET") || name.contains("KEY"));
        }

        @Test
        void credentialsAndSecretKeyArriveAsEcsSecrets() {
            Map<String, Object> secrets = keyValues(container().get("Secrets"), "Name", "ValueFrom");
            assertThat(secrets).containsOnlyKeys("DB_USERNAME", "DB_PASSWORD", "SECRET_KEY");
            assertThat(secrets.get("DB_USERNAME"))
                .isEqualTo(Map.of("Fn::Sub", "${Database.MasterUserSecret.SecretArn}:username::"));
            assertThat(secrets.get("DB_PASSWORD"))
                .isEqualTo(Map.of("Fn::Sub", "${Database.MasterUserSecret.SecretArn}:password::"));
            assertThat(ref(secrets.get("SECRET_KEY"))).isEqualTo("AppSecret");
        }

        @Test
        void secretKeyIsGeneratedNeverWritten() {
            Map<String, Object> appSecret = TEMPLATE.properties("AppSecret");
            assertThat(appSecret).doesNotContainKey("SecretString");
            assertThat(map(appSecret.get("GenerateSecretString"))).containsEntry("PasswordLength", 64)
                .containsEntry("ExcludePunctuation", true);
        }

        @Test
        void executionRoleReadsExactlyTheTwoSecrets() {
            List<Object> secretStatements = walk(TEMPLATE.properties("ExecutionRole").get("Policies"))
                .filter((node) -> node instanceof Map<?, ?> statement
                        && String.valueOf(statement.get("Action")).contains("secretsmanager"))
                .toList();
            assertThat(secretStatements).hasSize(1);
            Map<String, Object> statement = map(secretStatements.get(0));
            assertThat(statement).containsEntry("Action", "secretsmanager:GetSecretValue");
            assertThat(list(statement.get("Resource"))).containsExactlyInAnyOrder(
                    Map.of("Fn::GetAtt", List.of("Database", "MasterUserSecret.SecretArn")),
                    Map.of("Ref", "AppSecret"));
        }

        @Test
        void noPasswordPropertyOrEchoedSecretParameterAnywhere() {
            assertThat(walk(TEMPLATE.root())
                .filter((node) -> node instanceof Map<?, ?> map && map.containsKey("MasterUserPassword"))
                .toList()).isEmpty();
            TEMPLATE.parameters().forEach((name, parameter) -> {
                if (name.toLowerCase().matches(".*(password|secret|token|apikey).*")) {
                    assertThat(map(parameter)).as(name).containsEntry("NoEcho", true);
                }
            });
        }

    }

    @Nested
    class Monitoring {

        @Test
        void alarmsCoverTheIssuesMetricsAndNotifyTheTopic() {
            Set<String> metrics = new HashSet<>();
            for (String alarm : TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm")) {
                Map<String, Object> properties = TEMPLATE.properties(alarm);
                metrics.add(properties.get("Namespace") + "/" + properties.get("MetricName"));
                assertThat(refs(properties.get("AlarmActions"))).as(alarm).containsExactly("AlarmTopic");
            }
            assertThat(metrics).contains("AWS/ApplicationELB/HTTPCode_ELB_5XX_Count",
                    "AWS/ApplicationELB/HTTPCode_Target_5XX_Count", "AWS/ApplicationELB/TargetResponseTime",
                    "AWS/ApplicationELB/UnHealthyHostCount", "AWS/ECS/CPUUtilization", "AWS/ECS/MemoryUtilization",
                    "AWS/RDS/CPUUtilization", "AWS/RDS/FreeStorageSpace", "AWS/RDS/DatabaseConnections");
            assertThat(TEMPLATE.properties("LatencyP99Alarm")).containsEntry("ExtendedStatistic", "p99");
            assertThat(TEMPLATE.resource("AlarmEmailSubscription")).containsEntry("Condition", "HasAlarmEmail");
        }

        @Test
        void dashboardIsValidJsonWithTheFourPanelsAndLogQueries() {
            Object body = intrinsic(TEMPLATE.properties("Dashboard").get("DashboardBody"), "Fn::Sub");
            String json = SUB_VARIABLE.matcher(String.valueOf(body)).replaceAll("x");
            Map<String, Object> dashboard = map(new Yaml(new SafeConstructor(new LoaderOptions())).load(json));
            List<Map<String, Object>> widgets = list(dashboard.get("widgets")).stream()
                .map(CloudFormationTemplate::map)
                .toList();
            String headings = widgets.stream()
                .filter((widget) -> "text".equals(widget.get("type")))
                .map((widget) -> String.valueOf(map(widget.get("properties")).get("markdown")))
                .collect(Collectors.joining("\n"));
            assertThat(headings).contains("ECS service", "Application Load Balancer", "RDS", "Application logs");
            String queries = widgets.stream()
                .filter((widget) -> "log".equals(widget.get("type")))
                .map((widget) -> String.valueOf(map(widget.get("properties")).get("query")))
                .collect(Collectors.joining("\n"));
            assertThat(queries).contains("level", "status", "method", "route", "duration_ms", "request_id", "message");
        }

    }

    @Nested
    class Outputs {

        @Test
        void exportsWhatTheSamStackImports() {
            Map<String, String> exports = new LinkedHashMap<>();
            TEMPLATE.outputs().forEach((name, output) -> {
                Object export = map(output).get("Export");
                if (export != null) {
                    exports.put(name, String.valueOf(intrinsic(map(export).get("Name"), "Fn::Sub")));
                }
            });
            List<String> required = List.of("ApiUrl", "VpcId", "PrivateSubnet1Id", "PrivateSubnet2Id", "DbEndpoint",
                    "DbPort", "DbName", "DbSecretArn", "DbSecurityGroupId", "AppSecretArn", "ClusterName",
                    "ServiceName", "LogGroupName");
            assertThat(exports.values())
                .containsAll(required.stream().map((name) -> "${AWS::StackName}-" + name).toList());
            exports.forEach((name, export) -> assertThat(export).isEqualTo("${AWS::StackName}-" + name));
        }

        @Test
        void everyOutputIsDescribed() {
            TEMPLATE.outputs()
                .forEach((name, output) -> assertThat(map(output).get("Description")).as(name).isNotNull());
        }

    }

    @Nested
    class Style {

        @Test
        void sectionsComeInTheAgreedOrder() {
            assertThat(TEMPLATE.root().keySet()).containsExactly("AWSTemplateFormatVersion", "Description",
                    "Parameters", "Conditions", "Resources", "Outputs");
        }

        @Test
        void everyParameterIsDescribedAndBooleansAreTrueOrFalse() {
            TEMPLATE.parameters().forEach((name, parameter) -> {
                Map<String, Object> definition = map(parameter);
                assertThat(definition.get("Description")).as(name).isNotNull();
                String defaultValue = String.valueOf(definition.get("Default"));
                if (defaultValue.equals("true") || defaultValue.equals("false")) {
                    assertThat(list(definition.get("AllowedValues")).stream().map(String::valueOf))
                        .as(name)
                        .containsExactly("true", "false");
                }
            });
        }

        @Test
        void everyResourceHasAWhyComment() {
            List<String> lines = TEMPLATE.text().lines().toList();
            int resourcesStart = lines.indexOf("Resources:");
            int resourcesEnd = lines.indexOf("Outputs:");
            List<String> uncommented = new ArrayList<>();
            for (int i = resourcesStart + 1; i < resourcesEnd; i++) {
                if (lines.get(i).matches("  [A-Za-z0-9]+:\\s*")) {
                    int previous = i - 1;
                    while (lines.get(previous).isBlank()) {
                        previous--;
                    }
                    if (!lines.get(previous).startsWith("  #")) {
                        uncommented.add(lines.get(i).trim());
                    }
                }
            }
            assertThat(uncommented).as("resources without a comment right above them").isEmpty();
            assertThat(TEMPLATE.resources()).hasSizeGreaterThan(40);
        }

    }

    private static Map<String, Object> container() {
        List<Object> containers = list(TEMPLATE.properties("TaskDefinition").get("ContainerDefinitions"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    /** Container environment by name, both branches of a conditional entry included. */
    private static Map<String, Object> environment() {
        Map<String, Object> environment = new LinkedHashMap<>();
        for (Object entry : list(container().get("Environment"))) {
            Object conditional = intrinsic(entry, "Fn::If");
            List<Object> candidates = (conditional != null) ? list(conditional).subList(1, 3) : List.of(entry);
            for (Object candidate : candidates) {
                if (ref(candidate) == null) {
                    Map<String, Object> variable = map(candidate);
                    environment.put(String.valueOf(variable.get("Name")), variable.get("Value"));
                }
            }
        }
        return environment;
    }

    private static Map<String, Object> keyValues(Object entries) {
        return keyValues(entries, "Key", "Value");
    }

    private static Map<String, Object> keyValues(Object entries, String keyName, String valueName) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Object entry : list(entries)) {
            result.put(String.valueOf(map(entry).get(keyName)), map(entry).get(valueName));
        }
        return result;
    }

    private static List<String> refs(Object references) {
        return list(references).stream().map(CloudFormationTemplate::ref).toList();
    }

}
