package com.helloapi.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.helloapi.database.DatabaseSettings;
import com.helloapi.testing.CloudFormationTemplate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;

import static com.helloapi.testing.CloudFormationTemplate.intrinsic;
import static com.helloapi.testing.CloudFormationTemplate.list;
import static com.helloapi.testing.CloudFormationTemplate.map;
import static com.helloapi.testing.CloudFormationTemplate.ref;
import static com.helloapi.testing.CloudFormationTemplate.walk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ecs-stack.yaml against the seed architecture and issues 4, 15, 16 and 18: references resolve, the security-group
 * graph is the seed's plus the rotation function and the endpoints, which every caller in the VPC reaches, the numbers
 * (health check, ports, sizes, scaling) hold, the database is private and encrypted, the API logs in as its own
 * rotating role while only the migration task uses the master secret, the health check leaves the database out, no
 * secret is ever a plain value, the connection budget computed from both templates holds at its worst moment for every
 * instance class allowed, every physical name derives from the stack name, production gets its safeguards (HTTPS,
 * WAF, a protected Multi-AZ database, encrypted alarms, logs, a read-only root file system), updates keep the scaled
 * count, and the architecture, the Spot share and the collector sidecar follow their parameters. Needs no AWS
 * account.
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
            assertThat(TEMPLATE.evaluate(targetGroup.get("Name"), Map.of())).isEqualTo("helloapi-tg");
            assertThat(targetGroup).containsEntry("TargetType", "ip")
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
                containers(taskDefinition).forEach(
                        (container) -> assertThat(container).as(taskDefinition).doesNotContainKey("HealthCheck"));
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
            assertThat(TEMPLATE.resource("HttpsListener")).containsEntry("Condition", "HasHttps");
            assertThat(TEMPLATE.properties("HttpsListener")).containsEntry("Port", 443)
                .containsEntry("Protocol", "HTTPS")
                .containsEntry("SslPolicy", "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assertThat(TEMPLATE.resource("HttpToHttpsRedirectRule")).containsEntry("Condition", "RedirectHttpToHttps");
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
            assertThat(TEMPLATE.evaluate(cluster.get("ClusterName"), Map.of())).isEqualTo("helloapi-cluster");
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
                    "DB_SSLROOTCERT", "DB_SECRET_ARN", "DB_MIGRATE", "DB_POOL_SIZE", "CLOUDWATCH_METRICS_ENABLED", "JAVA_TOOL_OPTIONS",
                    "AUTH_ISSUER_URI", "AUTH_AUDIENCE", "AUTH_PROTECT_READS", "CORS_ALLOWED_ORIGINS",
                    "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", "MANAGEMENT_TRACING_SAMPLING_PROBABILITY");
            assertThat(environment().get("CLOUDWATCH_METRICS_ENABLED")).isEqualTo("true");
            assertThat(environment().get("DB_HOST")).isEqualTo(Map.of("Fn::GetAtt", List.of("Database",
                    "Endpoint.Address")));
            assertThat(environment().get("DB_PORT")).isEqualTo(Map.of("Fn::GetAtt", List.of("Database",
                    "Endpoint.Port")));
            assertThat(ref(environment().get("DB_SSLMODE"))).isEqualTo("DbSslMode");
            // The image carries the RDS CA bundle: the server's certificate and name are checked, not only encrypted.
            assertThat(TEMPLATE.parameterDefault("DbSslMode")).isEqualTo("verify-full");
            assertThat(list(map(TEMPLATE.parameters().get("DbSslMode")).get("AllowedValues")))
                .containsExactlyInAnyOrder("disable", "require", "verify-full");
        }

        /** verify-full checks the server against the bundle the deploy script puts where the image copies it. */
        /** Every base image the Dockerfile names is built from a digest the script resolved (and labels). */
        @Test
        void everyBaseImageIsPinnedByDigestWhenTheScriptBuilds() throws Exception {
            List<String> bases = java.nio.file.Files.readAllLines(java.nio.file.Path.of("../container/Dockerfile"))
                .stream()
                .filter((line) -> line.startsWith("FROM "))
                .map((line) -> line.replaceAll("--platform=\\S+ ", "").split("\\s+")[1])
                .toList();
            assertThat(bases).isNotEmpty();
            String build = DeployScript.dryRun(List.of())
                .stream()
                .filter((line) -> line.startsWith("+ docker buildx build"))
                .findFirst()
                .orElseThrow();
            for (String base : bases) {
                assertThat(build).as(base).contains("--build-context '" + base + "=docker-image://" + base + "@");
            }
        }

        @Test
        void caBundleIsWhereTheScriptPutsItInTheImage() throws Exception {
            String bundle = (String) environment().get("DB_SSLROOTCERT");
            assertThat(bundle).startsWith("/app/certs/");
            String file = bundle.substring("/app/certs/".length());
            assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("../container/Dockerfile")))
                .contains("WORKDIR /app")
                .contains("COPY container/certs/ certs/");
            assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("../scripts/deploy-aws.sh")))
                .contains("-o container/certs/" + file + " ");
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
            assertThat(TEMPLATE.parameterDefault("MinTaskCount")).isEqualTo("2");
            assertThat(service).containsEntry("HealthCheckGracePeriodSeconds", 60);
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
            assertThat(policies).hasSize(4);

            Map<String, Object> secret = map(map(policies.get(0)).get("PolicyDocument"));
            // DescribeSecret: the Secrets Manager JDBC driver's cache asks it for the current version first.
            assertThat(actions(secret)).containsExactlyInAnyOrder("secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret");
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
        void migrationStatementsMayRunLongerThanARequestsButNotPastTheDeployScriptsWait() throws IOException {
            Duration migration = statementTimeout(environment(migrationContainer()));
            Duration requests = statementTimeout(environment());
            // The deploy script's aws ecs wait tasks-stopped polls every 6 s, 100 times, then gives up.
            assertThat(Files.readString(CloudFormationTemplate.locate("scripts/deploy-aws.sh")))
                .contains("aws ecs wait tasks-stopped");
            Duration scriptWaits = Duration.ofSeconds(6 * 100);
            assertThat(migration).isGreaterThan(requests.multipliedBy(10)).isLessThanOrEqualTo(scriptWaits);
        }

        /** A task's DB_STATEMENT_TIMEOUT, else the app's default, which sits on the record's constructor parameter. */
        private static Duration statementTimeout(Map<String, Object> environment) {
            Object value = environment.get("DB_STATEMENT_TIMEOUT");
            String appDefault = Arrays.stream(DatabaseSettings.class.getDeclaredConstructors()[0].getParameters())
                .filter((parameter) -> parameter.getName().equals("statementTimeout"))
                .map((parameter) -> parameter.getAnnotation(DefaultValue.class).value()[0])
                .findFirst()
                .orElseThrow();
            return DurationStyle.detectAndParse((value != null) ? String.valueOf(value) : appDefault);
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
                assertThat(map(statement)).containsEntry("Action",
                        List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"));
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
            // The major version only: RDS picks its default minor, so retiring one minor breaks no new deploy.
            assertThat(TEMPLATE.parameterDefault("DbEngineVersion")).isEqualTo("15");
            assertThat(TEMPLATE.parameter("DbEngineVersion").get("AllowedPattern")).isEqualTo("^15(\\.[0-9]+)?$");
            assertThat(TEMPLATE.parameterDefault("DbInstanceClass")).isEqualTo("db.t3.micro");
            assertThat(TEMPLATE.parameterDefault("DbAllocatedStorage")).isEqualTo("20");
            assertThat(database.get("MultiAZ"))
                .isEqualTo(Map.of("Fn::If", List.of("DbMultiAZEnabled", true, false)));
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
            assertThat(TEMPLATE.properties("Database").get("DeletionProtection"))
                .isEqualTo(Map.of("Fn::If", List.of("DbDeletionProtectionEnabled", true, false)));
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
                for (Map<String, Object> container : containers(taskDefinition)) {
                    environment(container).forEach((name, value) -> {
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
            // Without the proxy the function's reservation bounds its instances: the fallback it reserves when
            // ReservedConcurrency is empty (!If [HasReservedConcurrency, given, !If [UseRdsProxy, none, fallback]]).
            List<Object> reserved = list(intrinsic(function.get("ReservedConcurrentExecutions"), "Fn::If"));
            List<Object> withoutGiven = list(intrinsic(reserved.get(2), "Fn::If"));
            assertThat(withoutGiven.get(0)).isEqualTo("UseRdsProxy");
            int concurrency = ((Number) withoutGiven.get(2)).intValue();
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

    /**
     * Issue 16: the interface endpoints live with the VPC and, with private DNS, answer every caller in the VPC, so
     * every group whose owner calls AWS APIs (tasks, migration, rotation, the Lambda function, RDS Proxy) must reach
     * them on 443, and each endpoint must admit the whole VPC.
     */
    @Nested
    class Endpoints {

        /** Groups whose owners call no AWS API through the VPC: the ALB, the database, the endpoints themselves. */
        private static final Set<String> NOT_CALLERS = Set.of("AlbSecurityGroup", "DbSecurityGroup",
                "EndpointSecurityGroup");

        @Test
        void everyInterfaceEndpointIsReachableFromEveryCallerInTheVpc() {
            List<String> endpoints = TEMPLATE.resourcesOfType("AWS::EC2::VPCEndpoint");
            assertThat(endpoints).containsExactlyInAnyOrder("SecretsManagerEndpoint", "RdsApiEndpoint");
            for (String endpoint : endpoints) {
                Map<String, Object> properties = TEMPLATE.properties(endpoint);
                assertThat(properties).as(endpoint)
                    .containsEntry("VpcEndpointType", "Interface")
                    .containsEntry("PrivateDnsEnabled", true);
                assertThat(ref(properties.get("VpcId"))).isEqualTo("Vpc");
                // One ENI in each availability zone the callers use.
                assertThat(refs(properties.get("SubnetIds"))).containsExactly("PrivateSubnet1", "PrivateSubnet2");
                for (String group : refs(properties.get("SecurityGroupIds"))) {
                    assertThat(list(TEMPLATE.properties(group).get("SecurityGroupIngress"))).as(group)
                        .anySatisfy((rule) -> assertThat(map(rule)).containsEntry("IpProtocol", "tcp")
                            .containsEntry("FromPort", 443)
                            .containsEntry("ToPort", 443)
                            .containsEntry("CidrIp", Map.of("Fn::GetAtt", List.of("Vpc", "CidrBlock"))));
                }
            }
            Map<String, List<Object>> callers = new LinkedHashMap<>();
            for (CloudFormationTemplate template : List.of(TEMPLATE, LAMBDA)) {
                for (String group : template.resourcesOfType("AWS::EC2::SecurityGroup")) {
                    if (!NOT_CALLERS.contains(group)) {
                        callers.put(group, list(template.properties(group).get("SecurityGroupEgress")));
                    }
                }
            }
            assertThat(callers.keySet()).containsExactlyInAnyOrder("EcsSecurityGroup", "RotationSecurityGroup",
                    "LambdaSecurityGroup", "DbProxySecurityGroup");
            callers.forEach((group, egress) -> assertThat(egress).as("%s reaches the endpoints on 443", group)
                .anySatisfy((rule) -> {
                    assertThat(map(rule)).containsEntry("IpProtocol", "tcp")
                        .containsEntry("FromPort", 443)
                        .containsEntry("ToPort", 443);
                    assertThat(map(rule).get("CidrIp")).isIn(ANYWHERE,
                            Map.of("Fn::GetAtt", List.of("Vpc", "CidrBlock")));
                }));
            // A second endpoint with private DNS for the same service cannot exist in the VPC: only this stack has any.
            assertThat(LAMBDA.resourcesOfType("AWS::EC2::VPCEndpoint")).isEmpty();
        }

        @Test
        void endpointsExistWheneverThePrivateSubnetsHaveNoOtherWayOut() {
            for (Map<String, String> stack : List.of(Map.<String, String>of(), Map.of("Environment", "development"),
                    Map.of("TasksInPrivateSubnets", "true"))) {
                boolean nat = TEMPLATE.condition("UsePrivateSubnets", stack);
                assertThat(TEMPLATE.condition("NoNatGateway", stack)).as("%s", stack).isNotEqualTo(nat);
            }
        }

    }

    /**
     * Issue 16: a second stage beside the first. Every name the template gives a resource is built from the stack name
     * (or is another resource's generated id), and the stack named helloapi keeps the seed's names, so updating it
     * replaces nothing.
     */
    @Nested
    class Names {

        @Test
        void everyPhysicalNameDerivesFromTheStackName() {
            Map<String, Object> names = TEMPLATE.physicalNames();
            assertThat(names).containsKeys("TargetGroup.Name", "Cluster.ClusterName", "TaskDefinition.Family",
                    "Database.DBInstanceIdentifier", "LogGroup.LogGroupName", "Dashboard.DashboardName",
                    "DbRuntimeSecretRotation.RotationLambdaName", "AlbSecurityGroup.Tags.Name", "WebAcl.Name",
                    "AlarmTopicKeyAlias.AliasName", "CpuScalingPolicy.PolicyName");
            names.forEach((name, value) -> assertThat(TEMPLATE.derivesFromStackName(value))
                .as("%s = %s derives from AWS::StackName", name, value)
                .isTrue());
        }

        @Test
        void theStackNamedHelloapiKeepsTheSeedsNames() {
            Map<String, String> seed = Map.of("TargetGroup.Name", "helloapi-tg", "Cluster.ClusterName",
                    "helloapi-cluster", "AlbSecurityGroup.Tags.Name", "helloapi-alb-sg", "EcsSecurityGroup.Tags.Name",
                    "helloapi-ecs-sg", "DbSecurityGroup.Tags.Name", "helloapi-rds-sg", "Database.DBInstanceIdentifier",
                    "helloapi-db");
            Map<String, Object> names = TEMPLATE.physicalNames();
            seed.forEach((name, value) -> assertThat(TEMPLATE.evaluate(names.get(name), Map.of())).as(name)
                .isEqualTo(value));
            // A changed GroupDescription replaces a group: for this stack the descriptions are the seed's text.
            Map<String, String> descriptions = Map.of("AlbSecurityGroup",
                    "helloapi-alb-sg - HTTP/HTTPS from the internet, out only to the ECS tasks on 8000",
                    "EcsSecurityGroup",
                    "helloapi-ecs-sg - from the ALB on 8000, out to RDS on 5432 and HTTPS for AWS APIs",
                    "DbSecurityGroup", "helloapi-rds-sg - PostgreSQL from the ECS tasks only, no egress");
            descriptions.forEach((group, description) -> assertThat(
                    TEMPLATE.evaluate(TEMPLATE.properties(group).get("GroupDescription"), Map.of()))
                .as(group)
                .isEqualTo(description));
            Map<String, Object> staging = Map.of("TargetGroup.Name", "helloapi-staging-tg");
            staging.forEach((name, value) -> assertThat(
                    TEMPLATE.evaluate(names.get(name), Map.of("AWS::StackName", "helloapi-staging")))
                .isEqualTo(value));
        }

    }

    /**
     * Issue 16: production defaults. One Environment parameter picks them (the Environments mapping), each can be set
     * on its own, and a production stack gets every one of them.
     */
    @Nested
    class ProductionDefaults {

        /** Each true/false setting the Environment picks, and the condition the template decides it with. */
        private static final Map<String, String> SWITCHES = Map.of("DbDeletionProtection",
                "DbDeletionProtectionEnabled", "DbMultiAZ", "DbMultiAZEnabled", "DbPerformanceInsights",
                "DbPerformanceInsightsEnabled", "DbLogExports", "DbLogExportsEnabled", "EnableWaf", "WafEnabled",
                "AlbAccessLogs", "AlbAccessLogsEnabled", "VpcFlowLogs", "VpcFlowLogsEnabled", "ReadonlyRootFilesystem",
                "ReadonlyRoot", "AllowPlainHttp", "PlainHttpAllowed");

        private static final Map<String, String> PRODUCTION = Map.of();

        private static final Map<String, String> DEVELOPMENT = Map.of("Environment", "development");

        @Test
        void environmentIsProductionByDefaultAndPicksEveryEmptyParameter() {
            assertThat(TEMPLATE.parameterDefault("Environment")).isEqualTo("production");
            assertThat(TEMPLATE.allowedValues("Environment")).containsExactly("production", "development");
            Map<String, Object> environments = map(TEMPLATE.mappings().get("Environments"));
            assertThat(environments.keySet()).containsExactly("production", "development");
            Set<String> columns = map(environments.get("production")).keySet();
            assertThat(map(environments.get("development")).keySet()).isEqualTo(columns);
            assertThat(columns).containsAll(SWITCHES.keySet())
                .contains("DbMaxAllocatedStorage", "OnDemandBaseTaskCount", "SpotWeight");
            for (String column : columns) {
                // Empty means "the Environment's"; a value overrides it.
                assertThat(TEMPLATE.parameterDefault(column)).as(column).isEmpty();
                String finding = "{Fn::FindInMap=[Environments, {Ref=Environment}, " + column + "]}";
                assertThat(String.valueOf(TEMPLATE.root())).as(column).contains(finding);
            }
        }

        @Test
        void productionGetsEverySafeguardDevelopmentDropsThemAndEachOneCanBeSetAlone() {
            SWITCHES.forEach((parameter, condition) -> {
                boolean safeguard = !parameter.equals("AllowPlainHttp");
                assertThat(TEMPLATE.condition(condition, PRODUCTION)).as("%s in production", parameter)
                    .isEqualTo(safeguard);
                if (!parameter.equals("ReadonlyRootFilesystem")) {
                    assertThat(TEMPLATE.condition(condition, DEVELOPMENT)).as("%s in development", parameter)
                        .isEqualTo(!safeguard);
                }
                assertThat(TEMPLATE.allowedValues(parameter)).as(parameter).containsExactly("", "true", "false");
                assertThat(TEMPLATE.condition(condition, Map.of(parameter, "false"))).as(parameter).isFalse();
                assertThat(TEMPLATE.condition(condition, Map.of("Environment", "development", parameter, "true")))
                    .as(parameter)
                    .isTrue();
            });
        }

        @Test
        void databaseGetsProtectionStandbyInsightsLogsAndStorageAutoscalingInProduction() {
            Map<String, Object> database = TEMPLATE.properties("Database");
            Map<String, Object> production = new LinkedHashMap<>();
            for (String property : List.of("DeletionProtection", "MultiAZ", "EnablePerformanceInsights",
                    "PerformanceInsightsRetentionPeriod", "EnableCloudwatchLogsExports", "MaxAllocatedStorage")) {
                production.put(property, TEMPLATE.evaluate(database.get(property), PRODUCTION));
            }
            assertThat(production).containsEntry("DeletionProtection", true)
                .containsEntry("MultiAZ", true)
                .containsEntry("EnablePerformanceInsights", true)
                .containsEntry("PerformanceInsightsRetentionPeriod", 7)
                .containsEntry("EnableCloudwatchLogsExports", List.of("postgresql"));
            assertThat(Integer.parseInt(String.valueOf(production.get("MaxAllocatedStorage"))))
                .isGreaterThan(Integer.parseInt(TEMPLATE.parameterDefault("DbAllocatedStorage")));
            for (String property : List.of("PerformanceInsightsRetentionPeriod", "EnableCloudwatchLogsExports",
                    "MaxAllocatedStorage")) {
                assertThat(TEMPLATE.evaluate(database.get(property), DEVELOPMENT)).as(property)
                    .isSameAs(CloudFormationTemplate.NO_VALUE);
            }
            assertThat(TEMPLATE.evaluate(database.get("MaxAllocatedStorage"),
                    Map.of("Environment", "development", "DbMaxAllocatedStorage", "50")))
                .isEqualTo("50");
            assertThat(TEMPLATE.evaluate(database.get("MaxAllocatedStorage"), Map.of("DbMaxAllocatedStorage", "0")))
                .isSameAs(CloudFormationTemplate.NO_VALUE);
            // The exported log lands in a group of the stack, with a retention, created before the instance.
            assertThat(TEMPLATE.evaluate(TEMPLATE.properties("DbLogGroup").get("LogGroupName"), PRODUCTION))
                .isEqualTo("/aws/rds/instance/" + TEMPLATE.evaluate(database.get("DBInstanceIdentifier"), PRODUCTION)
                        + "/postgresql");
            assertThat(TEMPLATE.resource("Database")).containsEntry("DependsOn", "DbLogGroup");
        }

        @Test
        void alarmTopicIsEncryptedWithAKeyCloudWatchMayUse() {
            assertThat(ref(TEMPLATE.properties("AlarmTopic").get("KmsMasterKeyId"))).isEqualTo("AlarmTopicKey");
            Map<String, Object> key = TEMPLATE.properties("AlarmTopicKey");
            assertThat(key).containsEntry("EnableKeyRotation", true);
            // alias/aws/sns would encrypt too, but its key policy cannot let CloudWatch in: alarms would be dropped.
            List<Object> statements = list(map(key.get("KeyPolicy")).get("Statement"));
            assertThat(statements).anySatisfy((statement) -> {
                assertThat(map(statement)).containsEntry("Principal", Map.of("Service", "cloudwatch.amazonaws.com"));
                assertThat(actions(statement)).contains("kms:Decrypt");
                assertThat(String.valueOf(map(statement).get("Action"))).contains("kms:GenerateDataKey*");
            });
        }

        @Test
        void albAccessLogsGoToAnEncryptedPrivateBucketOnlyLoadBalancingMayWrite() {
            for (String id : List.of("AlbLogsBucket", "AlbLogsBucketPolicy")) {
                assertThat(TEMPLATE.resource(id)).as(id).containsEntry("Condition", "AlbAccessLogsEnabled");
            }
            Map<String, Object> bucket = TEMPLATE.properties("AlbLogsBucket");
            assertThat(String.valueOf(bucket.get("BucketEncryption"))).contains("SSEAlgorithm=AES256");
            assertThat(map(bucket.get("PublicAccessBlockConfiguration")).values()).containsOnly(true);
            Map<String, Object> attributes = new LinkedHashMap<>();
            for (Object attribute : list(TEMPLATE.properties("LoadBalancer").get("LoadBalancerAttributes"))) {
                Object value = TEMPLATE.evaluate(attribute, PRODUCTION);
                if (value != CloudFormationTemplate.NO_VALUE) {
                    attributes.put(String.valueOf(map(value).get("Key")), map(value).get("Value"));
                }
            }
            assertThat(attributes).containsEntry("access_logs.s3.enabled", "true").containsKey("access_logs.s3.bucket");
            // The regional ELB account in regions opened before August 2022, the log delivery service elsewhere.
            Object principal = map(list(map(TEMPLATE.properties("AlbLogsBucketPolicy").get("PolicyDocument"))
                .get("Statement")).get(0)).get("Principal");
            assertThat(String.valueOf(TEMPLATE.evaluate(principal, Map.of("AWS::Region", "eu-west-1"))))
                .contains("arn:aws:iam::156460612806:root");
            assertThat(TEMPLATE.evaluate(principal, Map.of("AWS::Region", "eu-central-2")))
                .isEqualTo(Map.of("Service", "logdelivery.elasticloadbalancing.amazonaws.com"));
        }

        @Test
        void vpcFlowLogsGoToAGroupWithRetentionWhenOn() {
            for (String id : List.of("FlowLog", "FlowLogGroup", "FlowLogRole")) {
                assertThat(TEMPLATE.resource(id)).as(id).containsEntry("Condition", "VpcFlowLogsEnabled");
            }
            assertThat(TEMPLATE.properties("FlowLog")).containsEntry("ResourceType", "VPC")
                .containsEntry("TrafficType", "ALL");
            assertThat(ref(TEMPLATE.properties("FlowLogGroup").get("RetentionInDays"))).isEqualTo("LogRetentionDays");
        }

    }

    /**
     * Issue 16: secure by default at the edge. HTTPS with a DNS-validated certificate and HTTP redirected to it, a
     * production stack refused without a certificate, WAF with a rate-based rule per client IP in front of the ALB,
     * and the app's own security settings passed to the task.
     */
    @Nested
    class Edge {

        private static final Map<String, String> DOMAIN = Map.of("DomainName", "api.example.com", "HostedZoneId",
                "Z0123456789ABCDEFGHIJ");

        @Test
        void certificateIsValidatedThroughDnsInTheHostedZoneAndHttpRedirectsToHttps() {
            assertThat(TEMPLATE.resource("Certificate")).containsEntry("Condition", "CreateCertificate");
            Map<String, Object> certificate = TEMPLATE.properties("Certificate");
            assertThat(ref(certificate.get("DomainName"))).isEqualTo("DomainName");
            assertThat(certificate).containsEntry("ValidationMethod", "DNS");
            assertThat(list(certificate.get("DomainValidationOptions"))).singleElement()
                .isEqualTo(Map.of("DomainName", Map.of("Ref", "DomainName"), "HostedZoneId",
                        Map.of("Ref", "HostedZoneId")));
            assertThat(TEMPLATE.condition("CreateCertificate", DOMAIN)).isTrue();
            assertThat(TEMPLATE.condition("CreateCertificate", Map.of())).isFalse();
            Map<String, String> ownCertificate = new LinkedHashMap<>(DOMAIN);
            ownCertificate.put("CertificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/abc");
            assertThat(TEMPLATE.condition("CreateCertificate", ownCertificate)).isFalse();
            // The HTTPS listener serves it (or CertificateArn) ...
            Object certificateArn = map(list(TEMPLATE.properties("HttpsListener").get("Certificates")).get(0))
                .get("CertificateArn");
            assertThat(TEMPLATE.evaluate(certificateArn, ownCertificate))
                .isEqualTo(ownCertificate.get("CertificateArn"));
            assertThat(list(intrinsic(certificateArn, "Fn::If")).get(2)).isEqualTo(Map.of("Ref", "Certificate"));
            assertThat(TEMPLATE.condition("HasHttps", DOMAIN)).isTrue();
            // ... and HTTP only redirects, unless plain HTTP is allowed.
            assertThat(TEMPLATE.condition("RedirectHttpToHttps", DOMAIN)).isTrue();
            Map<String, String> plain = new LinkedHashMap<>(DOMAIN);
            plain.put("AllowPlainHttp", "true");
            assertThat(TEMPLATE.condition("RedirectHttpToHttps", plain)).isFalse();
            Map<String, Object> redirect = map(
                    list(TEMPLATE.properties("HttpToHttpsRedirectRule").get("Actions")).get(0));
            assertThat(redirect).containsEntry("Type", "redirect");
            assertThat(map(redirect.get("RedirectConfig"))).containsEntry("StatusCode", "HTTP_301")
                .containsEntry("Protocol", "HTTPS");
            assertThat(map(list(TEMPLATE.properties("HttpToHttpsRedirectRule").get("Conditions")).get(0)))
                .containsEntry("PathPatternConfig", Map.of("Values", List.of("/*")));
            assertThat(TEMPLATE.evaluate(map(TEMPLATE.outputs().get("ApiUrl")).get("Value"), DOMAIN))
                .isEqualTo("https://api.example.com");
        }

        @Test
        void productionIsRefusedWithoutACertificateUnlessPlainHttpIsAllowed() {
            Map<String, Object> rule = map(map(TEMPLATE.root().get("Rules")).get("HttpsUnlessPlainHttpIsAllowed"));
            Object applies = rule.get("RuleCondition");
            Object holds = map(list(rule.get("Assertions")).get(0)).get("Assert");
            List<Map<String, String>> stacks = List.of(Map.of(), DOMAIN, Map.of("Environment", "development"),
                    Map.of("AllowPlainHttp", "true"), Map.of("Environment", "development", "AllowPlainHttp", "false"),
                    Map.of("CertificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/abc"));
            for (Map<String, String> stack : stacks) {
                // Rules cannot read the mapping: the rule must apply exactly where the template refuses plain HTTP.
                assertThat(TEMPLATE.evaluate(applies, stack)).as("%s", stack)
                    .isEqualTo(!TEMPLATE.condition("PlainHttpAllowed", stack));
                boolean refused = (Boolean) TEMPLATE.evaluate(applies, stack)
                        && !(Boolean) TEMPLATE.evaluate(holds, stack);
                assertThat(refused).as("%s", stack)
                    .isEqualTo(!TEMPLATE.condition("PlainHttpAllowed", stack)
                            && !TEMPLATE.condition("HasHttps", stack));
            }
            assertThat((Boolean) TEMPLATE.evaluate(applies, Map.of())
                    && !(Boolean) TEMPLATE.evaluate(holds, Map.of()))
                .as("a production stack without a certificate")
                .isTrue();
        }

        @Test
        void wafHasARateBasedRulePerClientIpAndManagedRuleGroupsAndGuardsTheAlb() {
            for (String id : List.of("WebAcl", "WebAclAssociation")) {
                assertThat(TEMPLATE.resource(id)).as(id).containsEntry("Condition", "WafEnabled");
            }
            Map<String, Object> acl = TEMPLATE.properties("WebAcl");
            assertThat(acl).containsEntry("Scope", "REGIONAL")
                .containsEntry("DefaultAction", Map.of("Allow", Map.of()));
            List<Map<String, Object>> rules = list(acl.get("Rules")).stream().map(CloudFormationTemplate::map).toList();
            Map<String, Object> rateBased = rules.stream()
                .map((rule) -> map(rule.get("Statement")).get("RateBasedStatement"))
                .filter((statement) -> statement != null)
                .map(CloudFormationTemplate::map)
                .findFirst()
                .orElseThrow();
            assertThat(rateBased).containsEntry("AggregateKeyType", "IP");
            assertThat(ref(rateBased.get("Limit"))).isEqualTo("WafRateLimit");
            assertThat(Integer.parseInt(TEMPLATE.parameterDefault("WafRateLimit"))).isBetween(10, 100_000);
            assertThat(rules.get(0).get("Statement")).as("the rate limit is evaluated first")
                .isEqualTo(Map.of("RateBasedStatement", rateBased));
            assertThat(String.valueOf(rules.get(0).get("Action"))).contains("Block");
            Set<String> managed = rules.stream()
                .map((rule) -> map(rule.get("Statement")).get("ManagedRuleGroupStatement"))
                .filter((statement) -> statement != null)
                .map((statement) -> map(statement).get("VendorName") + "/" + map(statement).get("Name"))
                .collect(Collectors.toSet());
            assertThat(managed).containsExactlyInAnyOrder("AWS/AWSManagedRulesCommonRuleSet",
                    "AWS/AWSManagedRulesKnownBadInputsRuleSet");
            Map<String, Object> association = TEMPLATE.properties("WebAclAssociation");
            assertThat(ref(association.get("ResourceArn"))).isEqualTo("LoadBalancer");
            assertThat(association.get("WebACLArn")).isEqualTo(Map.of("Fn::GetAtt", List.of("WebAcl", "Arn")));
        }

        @Test
        void appSecuritySettingsReachTheTaskAndTheInAppRateLimitDoesNot() {
            Map<String, Object> environment = environment();
            assertThat(ref(environment.get("AUTH_ISSUER_URI"))).isEqualTo("AuthIssuerUri");
            assertThat(ref(environment.get("AUTH_AUDIENCE"))).isEqualTo("AuthAudience");
            assertThat(ref(environment.get("AUTH_PROTECT_READS"))).isEqualTo("AuthProtectReads");
            assertThat(ref(environment.get("CORS_ALLOWED_ORIGINS"))).isEqualTo("CorsAllowedOrigins");
            for (String parameter : List.of("AuthIssuerUri", "AuthAudience", "CorsAllowedOrigins")) {
                assertThat(TEMPLATE.parameterDefault(parameter)).as(parameter).isEmpty();
            }
            assertThat(TEMPLATE.parameterDefault("AuthProtectReads")).isEqualTo("false");
            assertThat(environment.keySet()).noneMatch((name) -> name.startsWith("RATE_LIMIT"));
        }

    }

    /**
     * Issues 16 and 18: tasks. The desired count survives stack updates; the root file system is read-only; the CPU
     * architecture of the task and of the image the script builds agree; the capacity strategy follows its parameters
     * and a Spot interruption's notice covers the shutdown; the collector sidecar exists only with tracing.
     */
    @Nested
    class Fleet {

        @Test
        void desiredCountIsLeftToAutoScalingSoAStackUpdateNeverResetsIt() {
            Map<String, Object> service = TEMPLATE.properties("Service");
            // With a DesiredCount, every update would send a fleet scaled out to 10 back to MinTaskCount.
            assertThat(service).doesNotContainKey("DesiredCount");
            Map<String, Object> target = TEMPLATE.properties("ScalableTarget");
            assertThat(target).containsEntry("ScalableDimension", "ecs:service:DesiredCount");
            assertThat(ref(target.get("MinCapacity"))).isEqualTo("MinTaskCount");
            assertThat(String.valueOf(target.get("ResourceId"))).contains("${Service.Name}");
        }

        @Test
        void rootFileSystemIsReadOnlyAndOnlyTmpIsWritable() {
            assertThat(TEMPLATE.condition("ReadonlyRoot", Map.of())).isTrue();
            assertThat(TEMPLATE.condition("ReadonlyRoot", Map.of("Environment", "development"))).isTrue();
            for (String taskDefinition : TEMPLATE.resourcesOfType("AWS::ECS::TaskDefinition")) {
                // A plain task volume: Fargate's ephemeral storage (Fargate has no tmpfs), nothing from a host or EFS.
                assertThat(list(TEMPLATE.properties(taskDefinition).get("Volumes"))).as(taskDefinition)
                    .containsExactly(Map.of("Name", "tmp"));
                for (Map<String, Object> container : containers(taskDefinition)) {
                    String name = String.valueOf(container.get("Name"));
                    assertThat(container.get("ReadonlyRootFilesystem")).as(name)
                        .isEqualTo(Map.of("Fn::If", List.of("ReadonlyRoot", true, false)));
                    Object mounts = container.get("MountPoints");
                    if (!name.equals("otel-collector")) {
                        assertThat(list(mounts)).as(name)
                            .containsExactly(Map.of("SourceVolume", "tmp", "ContainerPath", "/tmp", "ReadOnly", false));
                    }
                    else {
                        assertThat(mounts).as("the collector writes nothing").isNull();
                    }
                }
            }
        }

        @Test
        void taskArchitectureAndTheImagePlatformTheDeployScriptBuildsAgree() throws Exception {
            assertThat(TEMPLATE.allowedValues("CpuArchitecture")).containsExactlyInAnyOrder("ARM64", "X86_64");
            assertThat(TEMPLATE.parameterDefault("CpuArchitecture")).isEqualTo("ARM64");
            for (String taskDefinition : TEMPLATE.resourcesOfType("AWS::ECS::TaskDefinition")) {
                assertThat(TEMPLATE.properties(taskDefinition).get("RuntimePlatform")).as(taskDefinition)
                    .isEqualTo(Map.of("OperatingSystemFamily", "LINUX", "CpuArchitecture",
                            Map.of("Ref", "CpuArchitecture")));
            }
            Map<String, String> platforms = Map.of("ARM64", "linux/arm64", "X86_64", "linux/amd64");
            // The script's dry run (no AWS account needed) without an override builds for the template's default
            // and deploys it; with an override, both follow it.
            Map<String, List<String>> runs = new LinkedHashMap<>();
            runs.put(TEMPLATE.parameterDefault("CpuArchitecture"), List.of());
            runs.put("X86_64", List.of("-p", "CpuArchitecture=X86_64"));
            runs.put("ARM64", List.of("-p", "CpuArchitecture=ARM64", "-p", "Environment=development"));
            for (Map.Entry<String, List<String>> run : runs.entrySet()) {
                List<String> lines = DeployScript.dryRun(run.getValue());
                List<String> builds = lines.stream()
                    .filter((line) -> line.startsWith("+ docker buildx build"))
                    .toList();
                assertThat(builds).as("%s", run.getValue()).singleElement().satisfies((build) -> assertThat(build)
                    .contains("--platform " + platforms.get(run.getKey()) + " ").contains(" --push"));
                List<String> deploys = lines.stream()
                    .filter((line) -> line.startsWith("+ aws cloudformation deploy"))
                    .toList();
                assertThat(deploys).as("%s", run.getValue()).hasSize(2).allSatisfy((deploy) -> {
                    assertThat(deploy).contains(" CpuArchitecture=" + run.getKey());
                    assertThat(deploy.split(" CpuArchitecture=", -1)).as("passed once").hasSize(2);
                });
            }
        }

        @Test
        void capacityStrategyFollowsItsParameters() {
            assertThat(list(TEMPLATE.properties("Cluster").get("CapacityProviders"))).containsExactlyInAnyOrder(
                    "FARGATE", "FARGATE_SPOT");
            Map<String, Object> service = TEMPLATE.properties("Service");
            // A service with a capacity provider strategy must not set a launch type.
            assertThat(service).doesNotContainKey("LaunchType");
            record Split(int onDemandBase, int onDemandWeight, int spotWeight) {
            }
            Function<Map<String, String>, Split> split = (stack) -> {
                Map<String, Integer> base = new LinkedHashMap<>();
                Map<String, Integer> weight = new LinkedHashMap<>();
                for (Object item : list(service.get("CapacityProviderStrategy"))) {
                    String provider = String.valueOf(map(item).get("CapacityProvider"));
                    Object baseValue = map(item).get("Base");
                    base.put(provider, (baseValue != null)
                            ? Integer.parseInt(String.valueOf(TEMPLATE.evaluate(baseValue, stack))) : 0);
                    weight.put(provider, Integer.parseInt(String.valueOf(TEMPLATE.evaluate(map(item).get("Weight"),
                            stack))));
                }
                assertThat(base.keySet()).containsExactly("FARGATE", "FARGATE_SPOT");
                assertThat(base.get("FARGATE_SPOT")).as("no Spot base").isZero();
                return new Split(base.get("FARGATE"), weight.get("FARGATE"), weight.get("FARGATE_SPOT"));
            };
            // Production: on-demand only. Development: one on-demand task, then mostly Spot.
            assertThat(split.apply(Map.of())).isEqualTo(new Split(0, 1, 0));
            Split development = split.apply(Map.of("Environment", "development"));
            assertThat(development.onDemandBase()).isEqualTo(1);
            assertThat(development.spotWeight()).isGreaterThan(development.onDemandWeight());
            // Each parameter on its own.
            assertThat(split.apply(Map.of("OnDemandBaseTaskCount", "2", "SpotWeight", "1")))
                .isEqualTo(new Split(2, 1, 1));
            assertThat(split.apply(Map.of("Environment", "development", "SpotWeight", "0")))
                .isEqualTo(new Split(1, 1, 0));
        }

        @Test
        void shutdownFitsInsideFargateSpotsTwoMinuteNotice() {
            int spotNoticeSeconds = 120;
            int gracefulShutdownSeconds = 20;
            int deregistration = Integer.parseInt(String.valueOf(
                    keyValues(TEMPLATE.properties("TargetGroup").get("TargetGroupAttributes"))
                        .get("deregistration_delay.timeout_seconds")));
            int app = (int) container().get("StopTimeout");
            // ECS stops the app before the collector it depends on: their stop timeouts add up.
            int collector = (int) map(collectorEntry().get(1)).get("StopTimeout");
            assertThat(app).isGreaterThan(gracefulShutdownSeconds);
            assertThat(deregistration + app + collector).isLessThanOrEqualTo(spotNoticeSeconds);
        }

        @Test
        void collectorSidecarAndItsXrayPermissionsExistOnlyWithTracing() {
            assertThat(TEMPLATE.parameterDefault("EnableTracing")).isEqualTo("false");
            List<Object> entry = collectorEntry();
            assertThat(entry.get(0)).isEqualTo("TracingEnabled");
            Map<String, Object> collector = map(entry.get(1));
            assertThat(collector).containsEntry("Name", "otel-collector").containsEntry("Essential", false);
            assertThat(TEMPLATE.parameterDefault("TracingCollectorImage"))
                .matches("public\\.ecr\\.aws/aws-observability/aws-otel-collector:v\\d+\\.\\d+\\.\\d+");
            String config = String.valueOf(intrinsic(environment(collector).get("AOT_CONFIG_CONTENT"), "Fn::Sub"));
            assertThat(config).contains("endpoint: 127.0.0.1:4318", "awsxray:", "exporters: [awsxray]");
            // The app's exporter settings exist only with the collector.
            List<Object> appEnvironment = list(container().get("Environment"));
            // The names the app binds: the properties its configuration reads, as environment variables.
            List<String> tracingVariables = tracingPropertiesTheAppReads().stream()
                .map((property) -> property.toUpperCase(Locale.ROOT).replace('.', '_').replace("-", ""))
                .toList();
            assertThat(tracingVariables).hasSize(2);
            for (String name : tracingVariables) {
                assertThat(appEnvironment).as(name).anySatisfy((variable) -> {
                    List<Object> conditional = list(intrinsic(variable, "Fn::If"));
                    assertThat(conditional.get(0)).isEqualTo("TracingEnabled");
                    assertThat(map(conditional.get(1))).containsEntry("Name", name);
                });
            }
            assertThat(environment()).containsEntry("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT",
                    "http://localhost:4318/v1/traces");
            // The task role's X-Ray statement exists only with the collector, with exactly the actions it uses.
            List<Object> xray = list(TEMPLATE.properties("TaskRole").get("Policies")).stream()
                .filter((policy) -> String.valueOf(policy).contains("xray:"))
                .toList();
            assertThat(xray).singleElement().satisfies((policy) -> {
                List<Object> conditional = list(intrinsic(policy, "Fn::If"));
                assertThat(conditional.get(0)).isEqualTo("TracingEnabled");
                assertThat(ref(conditional.get(2))).isEqualTo("AWS::NoValue");
                assertThat(actions(conditional.get(1))).containsExactlyInAnyOrder("xray:PutTraceSegments",
                        "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets");
            });
            for (String role : List.of("ExecutionRole", "MigrationTaskRole")) {
                assertThat(String.valueOf(TEMPLATE.properties(role))).as(role).doesNotContain("xray:");
            }
        }

        @Test
        void collectorNeverHoldsTheAppBackAndFitsTheTask() {
            Map<String, Object> collector = map(collectorEntry().get(1));
            // START, never HEALTHY: the app only waits for the collector to have been started.
            assertThat(container().get("DependsOn")).isEqualTo(Map.of("Fn::If", List.of("TracingEnabled",
                    List.of(Map.of("ContainerName", "otel-collector", "Condition", "START")),
                    Map.of("Ref", "AWS::NoValue"))));
            int collectorMemory = (int) collector.get("Memory");
            int collectorCpu = (int) collector.get("Cpu");
            Map<String, Object> memories = map(TEMPLATE.mappings().get("TaskMemories"));
            assertThat(memories.keySet()).containsExactlyInAnyOrderElementsOf(TEMPLATE.allowedValues("TaskMemory"));
            memories.forEach((taskMemory, limits) -> {
                int app = (int) map(limits).get("AppMemoryWithCollector");
                assertThat(app + collectorMemory).as("task memory %s", taskMemory)
                    .isEqualTo(Integer.parseInt(taskMemory));
                assertThat(app).as("task memory %s", taskMemory).isGreaterThanOrEqualTo(3 * collectorMemory);
            });
            assertThat(container().get("Memory")).isEqualTo(Map.of("Fn::If", List.of("TracingEnabled",
                    Map.of("Fn::FindInMap", List.of("TaskMemories", Map.of("Ref", "TaskMemory"),
                            "AppMemoryWithCollector")),
                    Map.of("Ref", "AWS::NoValue"))));
            int smallestTaskCpu = TEMPLATE.allowedValues("TaskCpu")
                .stream()
                .mapToInt(Integer::parseInt)
                .min()
                .orElseThrow();
            assertThat(collectorCpu).isLessThanOrEqualTo(smallestTaskCpu / 4);
        }

    }

    /** Runs scripts/deploy-aws.sh --dry-run, which needs no AWS account, credentials or Docker engine. */
    static final class DeployScript {

        private DeployScript() {
        }

        static List<String> dryRun(List<String> arguments) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("bash",
                    CloudFormationTemplate.locate("scripts/deploy-aws.sh").toString(), "--dry-run", "--region",
                    "eu-west-1"));
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().keySet().removeAll(List.of("STACK_NAME", "ECR_REPOSITORY", "PARAMETER_OVERRIDES",
                    "ECR_KEEP_IMAGES", "AWS_REGION", "AWS_DEFAULT_REGION"));
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            return output.lines().toList();
        }

    }

    @Nested
    class Style {

        @Test
        void sectionsComeInTheAgreedOrder() {
            // Transform (the hosted rotation function) and Mappings (the DB classes) in CloudFormation's own order.
            // Rules (HTTPS in production) sit between Parameters and Mappings, in CloudFormation's own order too.
            assertThat(TEMPLATE.root().keySet()).containsExactly("AWSTemplateFormatVersion", "Transform",
                    "Description", "Parameters", "Rules", "Mappings", "Conditions", "Resources", "Outputs");
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

    /** The serving app's container. */
    private static Map<String, Object> container() {
        return containers("TaskDefinition").stream()
            .filter((container) -> "helloapi".equals(container.get("Name")))
            .findFirst()
            .orElseThrow();
    }

    /**
     * A task definition's containers, a conditional one ({@code !If [condition, container, !Ref AWS::NoValue]}) as the
     * container it adds.
     */
    private static List<Map<String, Object>> containers(String taskDefinition) {
        List<Map<String, Object>> containers = new ArrayList<>();
        for (Object entry : list(TEMPLATE.properties(taskDefinition).get("ContainerDefinitions"))) {
            Object conditional = intrinsic(entry, "Fn::If");
            if (conditional != null) {
                assertThat(ref(list(conditional).get(2))).isEqualTo("AWS::NoValue");
                containers.add(map(list(conditional).get(1)));
            }
            else {
                containers.add(map(entry));
            }
        }
        return containers;
    }

    /** The collector sidecar's entry: {@code !If [TracingEnabled, container, !Ref AWS::NoValue]}. */
    private static List<Object> collectorEntry() {
        List<Object> entries = list(TEMPLATE.properties("TaskDefinition").get("ContainerDefinitions"));
        assertThat(entries).hasSize(2);
        return list(intrinsic(entries.get(1), "Fn::If"));
    }

    /** The serving container's environment by name, both branches of a conditional entry included. */
    /** The Spring Boot properties the container's configuration resolves for {@code helloapi.tracing.*}. */
    private static List<String> tracingPropertiesTheAppReads() {
        try (InputStream in = EcsStackTemplateUnitTest.class.getResourceAsStream("/config/application.yaml")) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher placeholder = Pattern.compile("\\$\\{(management\\.[a-z.-]+):").matcher(yaml);
            List<String> properties = new ArrayList<>();
            while (placeholder.find()) {
                properties.add(placeholder.group(1));
            }
            return properties;
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

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
        List<Map<String, Object>> containers = containers("MigrationTaskDefinition");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Map<String, Object> hostedRotation() {
        return map(TEMPLATE.properties("DbRuntimeSecretRotation").get("HostedRotationLambda"));
    }

}
