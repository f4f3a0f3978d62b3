package com.helloapi.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
 * ecs-stack.yaml against the seed architecture and issues 4 and 15: references resolve, the security-group graph is the
 * seed's plus the rotation function and the endpoints, the numbers (health check, ports, sizes, scaling) hold, the
 * database is private and encrypted, the API logs in as its own rotating role while only the migration task uses the
 * master secret, the health check leaves the database out, no secret is ever a plain value, and the connection budget
 * computed from both templates holds at its worst moment for every instance class allowed. Needs no AWS account.
 */
class EcsStackTemplateUnitTest {

    private static final CloudFormationTemplate TEMPLATE = CloudFormationTemplate
        .load(CloudFormationTemplate.locate("ecs-stack.yaml"));

    /** The Lambda stack, whose connections count against the same database. */
    private static final CloudFormationTemplate LAMBDA = CloudFormationTemplate
        .load(CloudFormationTemplate.locate("template.yaml"));

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
        void graphIsTheSeedsPlusTheRotationFunctionAndTheEndpoints() {
            assertThat(rules()).containsExactlyInAnyOrder(
                    new Rule("AlbSecurityGroup", "ingress", "cidr:" + ANYWHERE, "tcp", 80, 80),
                    new Rule("AlbSecurityGroup", "ingress", "cidr:" + ANYWHERE, "tcp", 443, 443),
                    new Rule("AlbSecurityGroup", "egress", "sg:EcsSecurityGroup", "tcp", 8000, 8000),
                    new Rule("EcsSecurityGroup", "ingress", "sg:AlbSecurityGroup", "tcp", 8000, 8000),
                    new Rule("EcsSecurityGroup", "egress", "sg:DbSecurityGroup", "tcp", 5432, 5432),
                    new Rule("EcsSecurityGroup", "egress", "cidr:" + ANYWHERE, "tcp", 443, 443),
                    new Rule("DbSecurityGroup", "ingress", "sg:EcsSecurityGroup", "tcp", 5432, 5432),
                    new Rule("RotationSecurityGroup", "egress", "sg:DbSecurityGroup", "tcp", 5432, 5432),
                    new Rule("RotationSecurityGroup", "egress", "cidr:" + ANYWHERE, "tcp", 443, 443),
                    new Rule("DbSecurityGroup", "ingress", "sg:RotationSecurityGroup", "tcp", 5432, 5432),
                    new Rule("EndpointSecurityGroup", "ingress", "cidr:Vpc.CidrBlock", "tcp", 443, 443));
        }

        @Test
        void onlyTheSeedGroupsAndThoseOfTheRotationFunctionAndTheEndpointsExist() {
            assertThat(TEMPLATE.resourcesOfType("AWS::EC2::SecurityGroup")).containsExactlyInAnyOrder(
                    "AlbSecurityGroup", "EcsSecurityGroup", "DbSecurityGroup", "RotationSecurityGroup",
                    "EndpointSecurityGroup");
        }

        @Test
        void migrationAndRotationReachTheDatabaseThroughTheirGroups() {
            // The deploy script runs the migration task in the group the stack outputs: the tasks' group.
            assertThat(ref(map(TEMPLATE.outputs().get("TaskSecurityGroupId")).get("Value")))
                .isEqualTo("EcsSecurityGroup");
            Map<String, Object> hosted = hostedRotation();
            assertThat(hosted.get("VpcSecurityGroupIds"))
                .isEqualTo(Map.of("Fn::GetAtt", List.of("RotationSecurityGroup", "GroupId")));
            assertThat(rules()).contains(
                    new Rule("DbSecurityGroup", "ingress", "sg:EcsSecurityGroup", "tcp", 5432, 5432),
                    new Rule("DbSecurityGroup", "ingress", "sg:RotationSecurityGroup", "tcp", 5432, 5432));
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
                    Object value = rule.get(key);
                    Object getAtt = intrinsic(value, "Fn::GetAtt");
                    if (getAtt != null) {
                        value = String.join(".", list(getAtt).stream().map(String::valueOf).toList());
                    }
                    peer = (key.startsWith("Cidr") ? "cidr:" : "prefix-list:") + value;
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

        @Test
        void secretsManagerEndpointAdmitsTheWholeVpcOn443() {
            Map<String, Object> endpoint = TEMPLATE.properties("SecretsManagerEndpoint");
            assertThat(endpoint).containsEntry("VpcEndpointType", "Interface")
                .containsEntry("PrivateDnsEnabled", true)
                .containsEntry("ServiceName", Map.of("Fn::Sub", "com.amazonaws.${AWS::Region}.secretsmanager"));
            assertThat(refs(endpoint.get("SubnetIds"))).containsExactly("PrivateSubnet1", "PrivateSubnet2");
            assertThat(refs(endpoint.get("SecurityGroupIds"))).containsExactly("EndpointSecurityGroup");
            // Private DNS sends every caller in the VPC to the endpoint, so it must admit them all, not one group.
            List<Object> ingress = list(TEMPLATE.properties("EndpointSecurityGroup").get("SecurityGroupIngress"));
            assertThat(ingress).hasSize(1);
            assertThat(map(ingress.get(0))).containsEntry("IpProtocol", "tcp")
                .containsEntry("FromPort", 443)
                .containsEntry("ToPort", 443)
                .containsEntry("CidrIp", Map.of("Fn::GetAtt", List.of("Vpc", "CidrBlock")));
        }

        @Test
        void endpointsServeThePrivateSubnetsExactlyWhenTheyHaveNoNatGateway() {
            assertThat(TEMPLATE.conditions()).containsEntry("NoNatGateway",
                    Map.of("Fn::Not", List.of(Map.of("Condition", "UsePrivateSubnets"))));
            for (String id : List.of("SecretsManagerEndpoint", "RdsApiEndpoint", "EndpointSecurityGroup")) {
                assertThat(TEMPLATE.resource(id)).as(id).containsEntry("Condition", "NoNatGateway");
            }
            // The rotation function asks the RDS API where the master secret's database is.
            assertThat(TEMPLATE.properties("RdsApiEndpoint")).containsEntry("PrivateDnsEnabled", true)
                .containsEntry("ServiceName", Map.of("Fn::Sub", "com.amazonaws.${AWS::Region}.rds"));
            // The service and the rotation schedule wait for them.
            Map<String, Object> ready = map(TEMPLATE.resource("NetworkReady").get("Metadata"));
            assertThat(String.valueOf(ready)).contains("SecretsManagerEndpoint", "RdsApiEndpoint");
            assertThat(list(TEMPLATE.resource("DbRuntimeSecretRotation").get("DependsOn"))).contains("NetworkReady");
            assertThat(String.valueOf(TEMPLATE.resource("Service").get("DependsOn"))).contains("NetworkReady");
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
        void healthCheckIsTheReadinessProbeWhichLeavesTheDatabaseOut() throws Exception {
            // A check that includes the database fails on every task at once when the database is away, and ECS
            // replaces the whole fleet: only the actuator's probes may be chosen, and readiness must not include db.
            assertThat(TEMPLATE.allowedValues("HealthCheckPath"))
                .containsExactlyInAnyOrder("/actuator/health/readiness", "/actuator/health/liveness");
            Map<String, Object> groups;
            try (InputStream yaml = getClass().getResourceAsStream("/config/application.yaml")) {
                Map<String, Object> management = map(
                        map(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml)).get("management"));
                groups = map(map(map(management.get("endpoint")).get("health")).get("group"));
            }
            String readiness = String.valueOf(map(groups.get("readiness")).get("include"));
            assertThat(readiness.split("\\s*,\\s*")).as("readiness group").contains("readinessState")
                .doesNotContain("db");
            // Nor does any other check run against the tasks: no container health check in either task definition.
            for (String taskDefinition : TEMPLATE.resourcesOfType("AWS::ECS::TaskDefinition")) {
                list(TEMPLATE.properties(taskDefinition).get("ContainerDefinitions")).forEach(
                        (container) -> assertThat(map(container)).as(taskDefinition).doesNotContainKey("HealthCheck"));
            }
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
                    "DB_SECRET_ARN", "DB_MIGRATE", "DB_POOL_SIZE", "CLOUDWATCH_METRICS_ENABLED", "JAVA_TOOL_OPTIONS");
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
                .containsEntry("MaximumPercent", 150)
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
        void taskRoleReadsOnlyTheRuntimeSecretPublishesOnlyItsOwnMetricsAndUsesEcsExecWhenEnabled() {
            List<Object> policies = list(TEMPLATE.properties("TaskRole").get("Policies"));
            assertThat(policies).hasSize(3);

            Map<String, Object> secret = map(map(policies.get(0)).get("PolicyDocument"));
            assertThat(actions(secret)).containsExactly("secretsmanager:GetSecretValue");
            assertThat(list(secret.get("Statement"))).singleElement()
                .satisfies((statement) -> assertThat(ref(map(statement).get("Resource"))).isEqualTo("DbRuntimeSecret"));

            Map<String, Object> metrics = map(policies.get(1));
            Set<String> metricActions = actions(metrics);
            assertThat(metricActions).containsExactly("cloudwatch:PutMetricData");
            assertThat(walk(metrics).anyMatch("HelloAPI"::equals)).as("limited to the HelloAPI namespace").isTrue();

            List<Object> exec = list(intrinsic(policies.get(2), "Fn::If"));
            assertThat(exec.get(0)).isEqualTo("ExecEnabled");
            assertThat(ref(exec.get(2))).isEqualTo("AWS::NoValue");
            assertThat(actions(exec.get(1))).allMatch((action) -> action.startsWith("ssmmessages:"));
            assertThat(String.valueOf(policies)).doesNotContain("MasterUserSecret", "kms:");
        }

        @Test
        void servingTasksLogInWithTheRuntimeSecretAndNeverMigrate() {
            assertThat(ref(environment().get("DB_SECRET_ARN"))).isEqualTo("DbRuntimeSecret");
            assertThat(TEMPLATE.type("DbRuntimeSecret")).isEqualTo("AWS::SecretsManager::Secret");
            assertThat(environment()).containsEntry("DB_MIGRATE", "false")
                .doesNotContainKeys("DB_USERNAME", "DB_PASSWORD", "DB_RUNTIME_SECRET_ARN");
            assertThat(keyValues(container().get("Secrets"), "Name", "ValueFrom")).doesNotContainKeys("DB_USERNAME",
                    "DB_PASSWORD");
            assertThat(ref(environment().get("DB_POOL_SIZE"))).isEqualTo("DbPoolSize");
            assertThat(TEMPLATE.parameterDefault("DbPoolSize")).isEqualTo("4");
        }

    }

    @Nested
    class Migration {

        @Test
        void migrationTaskRunsMigrateAsTheSchemaOwnerWithTheMasterSecret() {
            Map<String, Object> migration = migrationContainer();
            assertThat(migration.get("Command")).isEqualTo(List.of("migrate"));
            Map<String, Object> environment = environment(migration);
            assertThat(environment.get("DB_SECRET_ARN"))
                .isEqualTo(Map.of("Fn::GetAtt", List.of("Database", "MasterUserSecret.SecretArn")));
            // helloapi_app gets the runtime secret's first password here: the rotation needs a login that works.
            assertThat(ref(environment.get("DB_RUNTIME_SECRET_ARN"))).isEqualTo("DbRuntimeSecret");
            assertThat(environment).doesNotContainKeys("DB_MIGRATE", "DB_USERNAME", "DB_PASSWORD", "PORT");
            assertThat(migration).doesNotContainKeys("Secrets", "PortMappings");
            for (String name : List.of("DB_HOST", "DB_PORT", "DB_NAME", "DB_SSLMODE")) {
                assertThat(environment.get(name)).as(name).isEqualTo(environment().get(name));
            }
        }

        @Test
        void migrationRunsTheMigrationImageOrElseTheServiceImageWithTheSharedExecutionRoleAndLogs() {
            Map<String, Object> migration = migrationContainer();
            assertThat(list(intrinsic(migration.get("Image"), "Fn::If"))).containsExactly("HasMigrationImage",
                    Map.of("Ref", "MigrationImageUri"), Map.of("Ref", "ImageUri"));
            assertThat(TEMPLATE.parameterDefault("MigrationImageUri")).isEmpty();
            Map<String, Object> task = TEMPLATE.properties("MigrationTaskDefinition");
            assertThat(task.get("ExecutionRoleArn"))
                .isEqualTo(TEMPLATE.properties("TaskDefinition").get("ExecutionRoleArn"));
            assertThat(task.get("TaskRoleArn")).isEqualTo(Map.of("Fn::GetAtt", List.of("MigrationTaskRole", "Arn")));
            assertThat(task).containsEntry("NetworkMode", "awsvpc").containsEntry("RequiresCompatibilities",
                    List.of("FARGATE"));
            Map<String, Object> logging = map(map(migration.get("LogConfiguration")).get("Options"));
            assertThat(ref(logging.get("awslogs-group"))).isEqualTo("LogGroup");
            assertThat(logging).containsEntry("awslogs-stream-prefix", "migrate");
        }

        @Test
        void migrationTaskRoleReadsOnlyTheMasterAndRuntimeSecrets() {
            List<Object> policies = list(TEMPLATE.properties("MigrationTaskRole").get("Policies"));
            List<Object> statements = walk(policies)
                .filter((node) -> node instanceof Map<?, ?> statement && statement.containsKey("Effect"))
                .toList();
            assertThat(statements).singleElement().satisfies((statement) -> {
                assertThat(map(statement)).containsEntry("Action", "secretsmanager:GetSecretValue");
                assertThat(list(map(statement).get("Resource"))).containsExactlyInAnyOrder(
                        Map.of("Fn::GetAtt", List.of("Database", "MasterUserSecret.SecretArn")),
                        Map.of("Ref", "DbRuntimeSecret"));
            });
            // Nothing else reads the master secret: not the serving tasks, not ECS on their behalf.
            for (String role : List.of("TaskRole", "ExecutionRole")) {
                assertThat(String.valueOf(TEMPLATE.properties(role))).as(role).doesNotContain("MasterUserSecret");
            }
        }

        @Test
        void outputsGiveTheDeployScriptWhatRunTaskNeeds() {
            Map<String, Object> outputs = TEMPLATE.outputs();
            assertThat(ref(map(outputs.get("MigrationTaskDefinitionArn")).get("Value")))
                .isEqualTo("MigrationTaskDefinition");
            assertThat(map(outputs.get("MigrationTaskDefinitionFamily")).get("Value"))
                .isEqualTo(TEMPLATE.properties("MigrationTaskDefinition").get("Family"));
            Map<String, Object> awsvpc = map(
                    map(TEMPLATE.properties("Service").get("NetworkConfiguration")).get("AwsvpcConfiguration"));
            List<Object> serviceSubnets = list(intrinsic(awsvpc.get("Subnets"), "Fn::If"));
            List<Object> outputSubnets = list(intrinsic(map(outputs.get("TaskSubnetIds")).get("Value"), "Fn::If"));
            assertThat(outputSubnets.get(0)).isEqualTo(serviceSubnets.get(0));
            for (int branch = 1; branch <= 2; branch++) {
                assertThat(list(intrinsic(outputSubnets.get(branch), "Fn::Join")))
                    .containsExactly(",", serviceSubnets.get(branch));
            }
            assertThat(map(outputs.get("TaskAssignPublicIp")).get("Value")).isEqualTo(awsvpc.get("AssignPublicIp"));
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
        void noEnvironmentVariableCarriesASecretOnlyTheArnOfOne() {
            Set<Object> secretArns = Set.of(Map.of("Ref", "DbRuntimeSecret"),
                    Map.of("Fn::GetAtt", List.of("Database", "MasterUserSecret.SecretArn")));
            for (String taskDefinition : TEMPLATE.resourcesOfType("AWS::ECS::TaskDefinition")) {
                for (Object container : list(TEMPLATE.properties(taskDefinition).get("ContainerDefinitions"))) {
                    environment(map(container)).forEach((name, value) -> {
                        if (name.matches(".*(PASSWORD|SECRET|KEY|TOKEN).*")) {
                            assertThat(name).as("%s %s", taskDefinition, name).endsWith("_SECRET_ARN");
                            assertThat(value).as("%s %s", taskDefinition, name).isIn(secretArns);
                        }
                    });
                }
            }
        }

        @Test
        void onlySecretKeyArrivesAsAnEcsSecretDatabaseCredentialsAreReadByArn() {
            Map<String, Object> secrets = keyValues(container().get("Secrets"), "Name", "ValueFrom");
            assertThat(secrets).containsOnlyKeys("SECRET_KEY");
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
        void executionRoleReadsOnlyTheSecretKey() {
            List<Object> secretStatements = walk(TEMPLATE.properties("ExecutionRole").get("Policies"))
                .filter((node) -> node instanceof Map<?, ?> statement
                        && String.valueOf(statement.get("Action")).contains("secretsmanager"))
                .toList();
            assertThat(secretStatements).hasSize(1);
            Map<String, Object> statement = map(secretStatements.get(0));
            assertThat(statement).containsEntry("Action", "secretsmanager:GetSecretValue");
            assertThat(ref(statement.get("Resource"))).isEqualTo("AppSecret");
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
    class Rotation {

        @Test
        void runtimeSecretRotatesWeeklyWithAlternatingUsersAsTheMasterUser() {
            assertThat(TEMPLATE.root()).containsEntry("Transform", "AWS::SecretsManager-2024-09-16");
            Map<String, Object> schedule = TEMPLATE.properties("DbRuntimeSecretRotation");
            assertThat(ref(schedule.get("SecretId"))).isEqualTo("DbRuntimeSecret");
            assertThat(map(schedule.get("RotationRules"))).containsOnly(Map.entry("AutomaticallyAfterDays", 7));
            Map<String, Object> hosted = hostedRotation();
            assertThat(hosted).containsEntry("RotationType", "PostgreSQLMultiUser")
                .containsEntry("MasterSecretArn",
                        Map.of("Fn::GetAtt", List.of("Database", "MasterUserSecret.SecretArn")));
            // The master secret uses aws/secretsmanager (no MasterUserSecretKmsKeyId), so no key ARN is needed.
            assertThat(TEMPLATE.properties("Database")).doesNotContainKey("MasterUserSecret");
            assertThat(hosted).doesNotContainKeys("MasterSecretKmsKeyArn", "KmsKeyArn");
        }

        @Test
        void firstRotationWaitsForTheMigrationNotForTheStack() {
            // helloapi_app exists only once the first migration ran: the deploy script starts the first rotation.
            assertThat(TEMPLATE.properties("DbRuntimeSecretRotation"))
                .containsEntry("RotateImmediatelyOnUpdate", false);
            assertThat(list(TEMPLATE.resource("DbRuntimeSecretRotation").get("DependsOn")))
                .contains("DbRuntimeSecretAttachment", "DbIngressFromRotation");
        }

        @Test
        void rotationFunctionRunsInThePrivateSubnetsWithItsOwnGroup() {
            Map<String, Object> hosted = hostedRotation();
            assertThat(hosted.get("VpcSubnetIds")).isEqualTo(Map.of("Fn::Join",
                    List.of(",", List.of(Map.of("Ref", "PrivateSubnet1"), Map.of("Ref", "PrivateSubnet2")))));
            assertThat(hosted.get("VpcSecurityGroupIds"))
                .isEqualTo(Map.of("Fn::GetAtt", List.of("RotationSecurityGroup", "GroupId")));
        }

        @Test
        void runtimeSecretHoldsWhatAlternatingUsersRotationReads() {
            Map<String, Object> generate = map(TEMPLATE.properties("DbRuntimeSecret").get("GenerateSecretString"));
            assertThat(generate).containsEntry("GenerateStringKey", "password");
            String template = String.valueOf(intrinsic(generate.get("SecretStringTemplate"), "Fn::Sub"));
            Map<String, Object> json = map(new Yaml(new SafeConstructor(new LoaderOptions())).load(template));
            assertThat(json).containsOnly(Map.entry("username", "helloapi_app"), Map.entry("dbname", "my_database"),
                    Map.entry("masterarn", "${Database.MasterUserSecret.SecretArn}"));
            // The first password avoids the characters the rotation function never generates either.
            assertThat(generate.get("ExcludeCharacters")).isEqualTo(hostedRotation().get("ExcludeCharacters"));
            Map<String, Object> attachment = TEMPLATE.properties("DbRuntimeSecretAttachment");
            assertThat(ref(attachment.get("SecretId"))).isEqualTo("DbRuntimeSecret");
            assertThat(ref(attachment.get("TargetId"))).isEqualTo("Database");
            assertThat(attachment).containsEntry("TargetType", "AWS::RDS::DBInstance");
        }

    }

    @Nested
    class Monitoring {

        @Test
        void alarmsCoverTheIssuesMetricsAndNotifyTheTopic() {
            Set<String> metrics = new HashSet<>();
            for (String alarm : TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm")) {
                Map<String, Object> properties = TEMPLATE.properties(alarm);
                walk(properties).filter((node) -> node instanceof Map<?, ?> metric && metric.containsKey("MetricName"))
                    .map(CloudFormationTemplate::map)
                    .forEach((metric) -> metrics.add(metric.get("Namespace") + "/" + metric.get("MetricName")));
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
        void databaseConnectionsAlarmIsAShareOfTheClassesMaxConnections() {
            Map<String, Object> alarm = TEMPLATE.properties("DbConnectionsAlarm");
            List<Object> metrics = list(alarm.get("Metrics"));
            Map<String, Object> expression = metrics.stream()
                .map(CloudFormationTemplate::map)
                .filter((metric) -> metric.containsKey("Expression"))
                .findFirst()
                .orElseThrow();
            List<Object> sub = list(intrinsic(expression.get("Expression"), "Fn::Sub"));
            assertThat(sub.get(0)).isEqualTo("100 * connections / ${MaxConnections}");
            assertThat(map(sub.get(1))).containsEntry("MaxConnections", Map.of("Fn::FindInMap",
                    List.of("DbInstanceClasses", Map.of("Ref", "DbInstanceClass"), "MaxConnections")));
            assertThat(expression).containsEntry("ReturnData", true);
            assertThat(alarm).containsEntry("ComparisonOperator", "GreaterThanOrEqualToThreshold");
        }

        @Test
        void applicationErrorsAlarmCoversTheDatabaseSide() {
            // The health check leaves the database out; its outages show as the tasks' 503s.
            Map<String, Object> alarm = TEMPLATE.properties("Target5xxAlarm");
            assertThat(alarm).containsEntry("MetricName", "HTTPCode_Target_5XX_Count");
            assertThat(String.valueOf(alarm.get("AlarmDescription"))).contains("database");
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
                    "DbPort", "DbName", "DbSecretArn", "DbMasterSecretArn", "DbSecurityGroupId", "AppSecretArn",
                    "ClusterName", "ServiceName", "LogGroupName", "MigrationTaskDefinitionArn", "TaskSubnetIds",
                    "TaskSecurityGroupId", "TaskAssignPublicIp");
            assertThat(exports.values())
                .containsAll(required.stream().map((name) -> "${AWS::StackName}-" + name).toList());
            exports.forEach((name, export) -> assertThat(export).isEqualTo("${AWS::StackName}-" + name));
        }

        @Test
        void dbSecretArnIsTheRuntimeSecretTheMasterSecretIsItsOwnOutput() {
            // template.yaml imports DbSecretArn for the Lambda function: it must be the API's role, never the owner.
            assertThat(ref(map(TEMPLATE.outputs().get("DbSecretArn")).get("Value"))).isEqualTo("DbRuntimeSecret");
            assertThat(map(TEMPLATE.outputs().get("DbMasterSecretArn")).get("Value"))
                .isEqualTo(Map.of("Fn::GetAtt", List.of("Database", "MasterUserSecret.SecretArn")));
        }

        @Test
        void everyOutputIsDescribed() {
            TEMPLATE.outputs()
                .forEach((name, output) -> assertThat(map(output).get("Description")).as(name).isNotNull());
        }

    }

    /**
     * The connection budget at its worst moment, computed from both templates: a deployment at MaxTaskCount running
     * MaximumPercent of it, each with the pool its task definition injects, plus the Lambda function's share (reserved
     * concurrency times its largest allowed pool, or RDS Proxy's MaxConnectionsPercent of max_connections, whichever
     * is more), the migration task's pool, the rotation function and an administrator, within max_connections minus
     * superuser_reserved_connections, for every DB instance class the stack allows.
     */
    @Nested
    class ConnectionBudget {

        /** RDS's default for PostgreSQL: max_connections = LEAST(DBInstanceClassMemory / 9531392, 5000). */
        private static final long BYTES_PER_CONNECTION = 9_531_392L;

        private static final int MAX_CONNECTIONS_CAP = 5000;

        /** PostgreSQL's superuser_reserved_connections, which the stack's parameter group leaves at its default. */
        private static final int SUPERUSER_RESERVED = 3;

        /** Kept free for an administrator's psql session and monitoring. */
        private static final int ADMIN_HEADROOM = 3;

        /** The rotation function logs in once at a time (new, current, master credentials), closing each login. */
        private static final int ROTATION = 1;

        @Test
        void everyAllowedClassHasItsMemoryAndTheMaxConnectionsRdsDerivesFromIt() {
            List<String> allowed = TEMPLATE.allowedValues("DbInstanceClass");
            assertThat(allowed).contains(TEMPLATE.parameterDefault("DbInstanceClass"));
            Map<String, Object> classes = map(TEMPLATE.mappings().get("DbInstanceClasses"));
            assertThat(classes.keySet()).containsExactlyInAnyOrderElementsOf(allowed);
            classes.forEach((name, limits) -> assertThat(map(limits).get("MaxConnections")).as(name)
                .isEqualTo(maxConnections(name)));
            // The formula is RDS's default only while the parameter group leaves both settings alone.
            assertThat(map(TEMPLATE.properties("DbParameterGroup").get("Parameters")))
                .doesNotContainKeys("max_connections", "superuser_reserved_connections");
        }

        @Test
        void holdsAtTheWorstMomentForEveryAllowedInstanceClass() {
            for (String instanceClass : TEMPLATE.allowedValues("DbInstanceClass")) {
                Budget budget = budget(instanceClass);
                assertThat(budget.total()).as("%s", budget).isLessThanOrEqualTo(budget.forClients());
            }
        }

        @Test
        void connectionsAlarmFiresBeforeClientConnectionsRunOutOnEveryAllowedClass() {
            double threshold = ((Number) TEMPLATE.properties("DbConnectionsAlarm").get("Threshold")).doubleValue();
            for (String instanceClass : TEMPLATE.allowedValues("DbInstanceClass")) {
                Budget budget = budget(instanceClass);
                assertThat(threshold / 100 * budget.maxConnections()).as("%s", budget)
                    .isLessThan(budget.forClients() - ADMIN_HEADROOM);
            }
        }

        @Test
        void operatorGuideShowsTheBudgetOfTheDefaultAndTheLargestClass() throws IOException {
            String guide = Files.readString(CloudFormationTemplate.locate("docs/deploy-ecs.md"));
            Budget byDefault = budget(TEMPLATE.parameterDefault("DbInstanceClass"));
            Budget largest = TEMPLATE.allowedValues("DbInstanceClass")
                .stream()
                .map(ConnectionBudget::budget)
                .max(Comparator.comparingInt(Budget::maxConnections))
                .orElseThrow();
            for (Budget budget : List.of(byDefault, largest)) {
                assertThat(guide).as("docs/deploy-ecs.md shows %s", budget)
                    .contains(budget.instanceClass())
                    .contains("**" + budget.total() + " of " + budget.forClients() + "**");
            }
        }

        private static Budget budget(String instanceClass) {
            Map<String, Object> deployment = map(TEMPLATE.properties("Service").get("DeploymentConfiguration"));
            int maxTasks = Integer.parseInt(TEMPLATE.parameterDefault("MaxTaskCount"));
            // ECS rounds the deployment's upper limit down.
            int tasks = maxTasks * ((Number) deployment.get("MaximumPercent")).intValue() / 100;
            int taskPool = Integer.parseInt(TEMPLATE.valueWithDefaults(environment().get("DB_POOL_SIZE")));
            int migration = Integer
                .parseInt(TEMPLATE.valueWithDefaults(environment(migrationContainer()).get("DB_POOL_SIZE")));

            int maxConnections = maxConnections(instanceClass);
            Map<String, Object> function = LAMBDA.properties("HelloApiFunction");
            int concurrency = Integer.parseInt(LAMBDA.valueWithDefaults(function.get("ReservedConcurrentExecutions")));
            String lambdaPool = ref(map(map(function.get("Environment")).get("Variables")).get("DB_POOL_SIZE"));
            int largestLambdaPool = LAMBDA.allowedValues(lambdaPool)
                .stream()
                .mapToInt(Integer::parseInt)
                .max()
                .orElseThrow();
            int proxyPercent = ((Number) map(
                    LAMBDA.properties("DbProxyTargetGroup").get("ConnectionPoolConfigurationInfo"))
                .get("MaxConnectionsPercent")).intValue();
            int lambda = Math.max(concurrency * largestLambdaPool, maxConnections * proxyPercent / 100);
            return new Budget(instanceClass, maxConnections, tasks, taskPool, lambda, migration);
        }

        /** From the memory the DbInstanceClasses mapping states for the class. */
        private static int maxConnections(String instanceClass) {
            Object limits = map(TEMPLATE.mappings().get("DbInstanceClasses")).get(instanceClass);
            assertThat(limits).as("DbInstanceClasses mapping entry for %s", instanceClass).isNotNull();
            long memory = ((Number) map(limits).get("MemoryGiB")).longValue() * 1024 * 1024 * 1024;
            return (int) Math.min(memory / BYTES_PER_CONNECTION, MAX_CONNECTIONS_CAP);
        }

        /** Connections at the worst moment on one instance class. */
        record Budget(String instanceClass, int maxConnections, int tasks, int taskPool, int lambda, int migration) {

            int forClients() {
                return this.maxConnections - SUPERUSER_RESERVED;
            }

            int total() {
                return this.tasks * this.taskPool + this.lambda + this.migration + ROTATION + ADMIN_HEADROOM;
            }

        }

    }

    @Nested
    class Style {

        @Test
        void sectionsComeInTheAgreedOrder() {
            // Transform (the hosted rotation function) and Mappings (the DB classes) in CloudFormation's own order.
            assertThat(TEMPLATE.root().keySet()).containsExactly("AWSTemplateFormatVersion", "Transform",
                    "Description", "Parameters", "Mappings", "Conditions", "Resources", "Outputs");
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

    /** The serving container's environment by name, both branches of a conditional entry included. */
    private static Map<String, Object> environment() {
        return environment(container());
    }

    /** A container's environment by name, both branches of a conditional entry included. */
    private static Map<String, Object> environment(Map<String, Object> container) {
        Map<String, Object> environment = new LinkedHashMap<>();
        for (Object entry : list(container.get("Environment"))) {
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

    private static Set<String> actions(Object policy) {
        return walk(policy).filter((node) -> node instanceof String)
            .map(Object::toString)
            .filter((value) -> value.matches("[a-z0-9]+:[A-Za-z]+"))
            .collect(Collectors.toSet());
    }

    private static Map<String, Object> migrationContainer() {
        List<Object> containers = list(TEMPLATE.properties("MigrationTaskDefinition").get("ContainerDefinitions"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    private static Map<String, Object> hostedRotation() {
        return map(TEMPLATE.properties("DbRuntimeSecretRotation").get("HostedRotationLambda"));
    }

}
