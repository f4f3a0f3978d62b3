package com.helloapi.deploy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.helloapi.testing.CloudFormationTemplate;
import org.junit.jupiter.api.Test;

import static com.helloapi.testing.CloudFormationTemplate.intrinsic;
import static com.helloapi.testing.CloudFormationTemplate.list;
import static com.helloapi.testing.CloudFormationTemplate.map;
import static com.helloapi.testing.CloudFormationTemplate.ref;
import static com.helloapi.testing.CloudFormationTemplate.walk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * template.yaml, the SAM template of the Lambda target, against issues 3, 15, 16 and 18: the handler and MAIN_CLASS it
 * names exist, SnapStart applies because the API invokes the published alias, the HTTP API hands every route to Spring
 * with payload format 2.0 and throttles, the function sits in the ECS stack's VPC through exactly the exports
 * ecs-stack.yaml defines, logs in with the ECS stack's rotating runtime secret and never migrates, its connections are
 * bounded by RDS Proxy without a reservation by default, X-Ray tracing is an option, every name derives from the stack
 * name, and no secret is a plain value. The connection budget of both stacks together is computed in
 * EcsStackTemplateUnitTest. Needs no AWS account; ../shared/tools/cfn-check validates the rest in CI.
 */
class LambdaTemplateUnitTest {

    static final CloudFormationTemplate TEMPLATE = CloudFormationTemplate
        .load(CloudFormationTemplate.locate("template.yaml"));

    static final CloudFormationTemplate ECS_STACK = CloudFormationTemplate
        .load(CloudFormationTemplate.locate("ecs-stack.yaml"));

    static final Pattern IMPORT = Pattern.compile("\\$\\{NetworkStackName}-(\\w+)");

    @Test
    void isASamTemplateInTheAgreedSectionOrder() {
        assertThat(TEMPLATE.root()).containsEntry("Transform", "AWS::Serverless-2016-10-31");
        assertThat(TEMPLATE.root().keySet()).containsExactly("AWSTemplateFormatVersion", "Transform", "Description",
                "Parameters", "Conditions", "Resources", "Outputs");
    }

    @Test
    void handlerAndMainClassExistOnTheFunctionsClasspath() throws Exception {
        Map<String, Object> function = function();
        String handler = String.valueOf(function.get("Handler"));
        assertThat(handler).endsWith("::handleRequest");
        Class<?> handlerClass = Class.forName(handler.substring(0, handler.indexOf("::")));
        assertThat(RequestStreamHandler.class).isAssignableFrom(handlerClass);
        assertThat(handlerClass.getConstructor()).isNotNull();
        String mainClass = String.valueOf(environment().get("MAIN_CLASS"));
        assertThat(Class.forName(mainClass).isAnnotationPresent(
                org.springframework.boot.autoconfigure.SpringBootApplication.class)).isTrue();
        assertThat(function).containsEntry("CodeUri", "function/target/helloapi-lambda.zip")
            .containsEntry("Architectures", List.of("arm64"));
        assertThat(String.valueOf(function.get("Runtime"))).matches("java(21|25)");
        assertThat(ref(function.get("MemorySize"))).isEqualTo("MemorySize");
        assertThat(ref(function.get("Timeout"))).isEqualTo("Timeout");
    }

    @Test
    void snapStartAppliesToThePublishedAliasTheApiInvokes() {
        Map<String, Object> function = function();
        assertThat(function).containsEntry("AutoPublishAlias", "live")
            .containsEntry("SnapStart", Map.of("ApplyOn", "PublishedVersions"));
        // SAM points event sources of a function with AutoPublishAlias at the alias: the API's integrations are
        // these events, and nothing else in the template integrates with or grants invocation of the bare function.
        Map<String, Object> events = map(function.get("Events"));
        assertThat(events).isNotEmpty();
        events.values().forEach(event -> assertThat(map(event)).containsEntry("Type", "HttpApi"));
        assertThat(TEMPLATE.resources().values().stream().map(resource -> map(resource).get("Type")))
            .doesNotContain("AWS::Lambda::Permission", "AWS::ApiGatewayV2::Integration",
                    "AWS::ApiGatewayV2::Route");
        assertThat(map(TEMPLATE.outputs().get("FunctionAliasArn")).get("Value"))
            .isEqualTo(Map.of("Ref", "HelloApiFunction.Alias"));
    }

    @Test
    void httpApiHandsEveryRouteToSpringWithPayloadFormat2() {
        Map<String, Object> events = map(function().get("Events"));
        Set<String> paths = new LinkedHashSet<>();
        events.values().forEach(event -> {
            Map<String, Object> properties = map(map(event).get("Properties"));
            assertThat(ref(properties.get("ApiId"))).isEqualTo("HttpApi");
            assertThat(properties).containsEntry("Method", "ANY").containsEntry("PayloadFormatVersion", "2.0");
            paths.add(String.valueOf(properties.get("Path")));
        });
        assertThat(paths).containsExactlyInAnyOrder("/", "/{proxy+}");
        Map<String, Object> api = TEMPLATE.properties("HttpApi");
        assertThat(map(api.get("AccessLogSettings")).get("DestinationArn"))
            .isEqualTo(Map.of("Fn::GetAtt", List.of("ApiAccessLogGroup", "Arn")));
        assertThat(list(intrinsic(api.get("CorsConfiguration"), "Fn::If")).get(0)).isEqualTo("HasCorsOrigins");
        assertThat(TEMPLATE.outputs()).containsKey("ApiUrl");
    }

    @Test
    void importsExactlyExportsTheEcsStackDefines() {
        Set<String> exports = ECS_STACK.outputs().values().stream()
            .map(output -> map(output).get("Export"))
            .filter(export -> export != null)
            .map(export -> String.valueOf(intrinsic(map(export).get("Name"), "Fn::Sub")))
            .map(name -> name.replace("${AWS::StackName}-", ""))
            .collect(Collectors.toSet());
        List<String> imports = new ArrayList<>();
        walk(TEMPLATE.root()).map(node -> intrinsic(node, "Fn::ImportValue")).filter(value -> value != null)
            .forEach(value -> {
                Matcher matcher = IMPORT.matcher(String.valueOf(intrinsic(value, "Fn::Sub")));
                assertThat(matcher.matches()).as("import %s", value).isTrue();
                imports.add(matcher.group(1));
            });
        assertThat(exports).containsAll(imports);
        assertThat(new LinkedHashSet<>(imports)).containsExactlyInAnyOrder("VpcId", "PrivateSubnet1Id",
                "PrivateSubnet2Id", "DbEndpoint", "DbPort", "DbName", "DbSecretArn", "DbSecurityGroupId",
                "AppSecretArn");
    }

    @Test
    void runsInThePrivateSubnetsWithItsOwnGroupAdmittedToTheDatabase() {
        Map<String, Object> vpc = map(function().get("VpcConfig"));
        assertThat(list(vpc.get("SecurityGroupIds")).stream().map(CloudFormationTemplate::ref))
            .containsExactly("LambdaSecurityGroup");
        assertThat(list(vpc.get("SubnetIds"))).hasSize(2);
        Map<String, Object> ingress = TEMPLATE.properties("DbIngressFromLambda");
        assertThat(TEMPLATE.type("DbIngressFromLambda")).isEqualTo("AWS::EC2::SecurityGroupIngress");
        assertThat(ingress).containsEntry("FromPort", 5432).containsEntry("ToPort", 5432);
        assertThat(ref(ingress.get("SourceSecurityGroupId"))).isEqualTo("LambdaSecurityGroup");
        assertThat(String.valueOf(ingress.get("GroupId"))).contains("DbSecurityGroupId");
        assertThat(TEMPLATE.properties("LambdaSecurityGroup")).doesNotContainKey("SecurityGroupIngress");
    }

    @Test
    void boundsItsDatabaseConnectionsByConcurrencyTimesPoolOrByTheProxysShare() {
        // The terms EcsStackTemplateUnitTest.ConnectionBudget reads: without the proxy, instances x pool, the instances
        // bounded by a reservation (5 unless one is given); with it, the proxy's MaxConnectionsPercent of
        // max_connections.
        Object reserved = function().get("ReservedConcurrentExecutions");
        assertThat(TEMPLATE.evaluate(reserved, Map.of("EnableRdsProxy", "false"))).isEqualTo(5);
        assertThat(TEMPLATE.evaluate(reserved, Map.of("EnableRdsProxy", "false", "ReservedConcurrency", "3")))
            .isEqualTo("3");
        assertThat(ref(environment().get("DB_POOL_SIZE"))).isEqualTo("DbPoolSize");
        assertThat(TEMPLATE.allowedValues("DbPoolSize")).containsExactly("1", "2");
        assertThat(environment()).containsEntry("DB_POOL_MIN_IDLE", "0");
        Map<String, Object> pool = map(
                TEMPLATE.properties("DbProxyTargetGroup").get("ConnectionPoolConfigurationInfo"));
        assertThat(pool.get("MaxConnectionsPercent")).isEqualTo(20);
        assertThat((int) pool.get("MaxIdleConnectionsPercent"))
            .isLessThanOrEqualTo((int) pool.get("MaxConnectionsPercent"));
    }

    @Test
    void reservedConcurrencyIsOptionalAndOffByDefault() {
        // ReservedConcurrentExecutions: 5 failed on accounts whose concurrency quota is 10.
        assertThat(TEMPLATE.parameterDefault("ReservedConcurrency")).isEmpty();
        assertThat(TEMPLATE.parameter("ReservedConcurrency")).containsEntry("Type", "String");
        Object reserved = function().get("ReservedConcurrentExecutions");
        assertThat(TEMPLATE.evaluate(reserved, Map.of())).isSameAs(CloudFormationTemplate.NO_VALUE);
        assertThat(TEMPLATE.evaluate(reserved, Map.of("ReservedConcurrency", "20"))).isEqualTo("20");
        assertThat(list(intrinsic(reserved, "Fn::If")).get(0)).isEqualTo("HasReservedConcurrency");
    }

    @Test
    void httpApiThrottlesItsDefaultRoute() {
        Map<String, Object> routes = map(TEMPLATE.properties("HttpApi").get("DefaultRouteSettings"));
        assertThat(ref(routes.get("ThrottlingRateLimit"))).isEqualTo("ApiThrottlingRateLimit");
        assertThat(ref(routes.get("ThrottlingBurstLimit"))).isEqualTo("ApiThrottlingBurstLimit");
        int rate = Integer.parseInt(TEMPLATE.parameterDefault("ApiThrottlingRateLimit"));
        int burst = Integer.parseInt(TEMPLATE.parameterDefault("ApiThrottlingBurstLimit"));
        assertThat(rate).isPositive();
        assertThat(burst).isGreaterThanOrEqualTo(rate);
        // The in-app limiter is gone: nothing configures it.
        assertThat(environment().keySet()).noneMatch((name) -> name.startsWith("RATE_LIMIT"));
    }

    @Test
    void xrayTracingIsAnOptionOffByDefault() {
        // A parameter, not a condition: SAM resolves it before adding the X-Ray policy to the role, only for Active.
        assertThat(ref(function().get("Tracing"))).isEqualTo("FunctionTracing");
        assertThat(TEMPLATE.parameterDefault("FunctionTracing")).isEqualTo("Disabled");
        assertThat(TEMPLATE.allowedValues("FunctionTracing")).containsExactlyInAnyOrder("Disabled", "Active");
    }

    @Test
    void everyPhysicalNameDerivesFromTheStackName() {
        Map<String, Object> names = TEMPLATE.physicalNames();
        assertThat(names).containsKeys("HelloApiFunction.FunctionName", "FunctionLogGroup.LogGroupName",
                "ApiAccessLogGroup.LogGroupName", "DbProxy.DBProxyName", "LambdaSecurityGroup.Tags.Name");
        names.forEach((name, value) -> assertThat(TEMPLATE.derivesFromStackName(value))
            .as("%s = %s derives from AWS::StackName", name, value)
            .isTrue());
    }

    @Test
    void neverMigratesAndLogsInWithTheEcsStacksRuntimeSecret() {
        assertThat(environment()).containsEntry("DB_MIGRATE", "false");
        assertThat(environment().get("DB_SECRET_ARN"))
            .isEqualTo(Map.of("Fn::ImportValue", Map.of("Fn::Sub", "${NetworkStackName}-DbSecretArn")));
        // In the ECS stack that export is the runtime secret (role helloapi_app), not the RDS-managed master secret.
        assertThat(ref(map(ECS_STACK.outputs().get("DbSecretArn")).get("Value"))).isEqualTo("DbRuntimeSecret");
        // The proxy logs in with the same secret, and reads it through the ECS stack's endpoint (HTTPS out).
        List<Object> auth = list(TEMPLATE.properties("DbProxy").get("Auth"));
        assertThat(map(auth.get(0)).get("SecretArn")).isEqualTo(environment().get("DB_SECRET_ARN"));
        assertThat(list(TEMPLATE.properties("DbProxySecurityGroup").get("SecurityGroupEgress")))
            .anySatisfy(rule -> assertThat(map(rule)).containsEntry("FromPort", 443).containsEntry("ToPort", 443));
    }

    @Test
    void rdsProxyIsOnByDefaultAndTheSecretsManagerEndpointIsTheEcsStacks() {
        for (String proxyResource : List.of("DbProxy", "DbProxyTargetGroup", "DbProxyRole", "DbProxySecurityGroup",
                "LambdaEgressToProxy", "DbIngressFromProxy")) {
            assertThat(TEMPLATE.resource(proxyResource)).as(proxyResource).containsEntry("Condition", "UseRdsProxy");
        }
        // With concurrency unreserved by default, the proxy is what keeps the function's connections bounded.
        assertThat(TEMPLATE.parameterDefault("EnableRdsProxy")).isEqualTo("true");
        assertThat(TEMPLATE.evaluate(environment().get("DB_HOST"), Map.of())).isEqualTo("<DbProxy.Endpoint>");
        assertThat(list(intrinsic(environment().get("DB_HOST"), "Fn::If")).get(0)).isEqualTo("UseRdsProxy");
        // Two endpoints with private DNS for one service cannot share a VPC: the ECS stack's admits the whole VPC.
        assertThat(TEMPLATE.resourcesOfType("AWS::EC2::VPCEndpoint")).isEmpty();
        assertThat(TEMPLATE.parameters()).doesNotContainKey("CreateVpcEndpoint");
        assertThat(ECS_STACK.properties("SecretsManagerEndpoint")).containsEntry("PrivateDnsEnabled", true);
        assertThat(String.valueOf(ECS_STACK.properties("EndpointSecurityGroup").get("SecurityGroupIngress")))
            .contains("CidrIp={Fn::GetAtt=[Vpc, CidrBlock]}");
    }

    @Test
    void credentialsArriveAsSecretArnsNeverAsValues() {
        Map<String, Object> environment = environment();
        assertThat(environment).containsKeys("DB_SECRET_ARN", "APP_SECRET_ARN")
            .doesNotContainKeys("DB_PASSWORD", "DB_USERNAME", "SECRET_KEY");
        environment.forEach((name, value) -> {
            if (name.matches(".*(PASSWORD|SECRET|KEY|TOKEN).*")) {
                assertThat(name).as("only ARNs of secrets").endsWith("_ARN");
                assertThat(String.valueOf(value)).as(name).contains("Fn::ImportValue");
            }
        });
        assertThat(TEMPLATE.text()).doesNotContainPattern("(?i)(password|secretstring)\\s*:");
        TEMPLATE.parameters().forEach((name, parameter) -> assertThat(name.toLowerCase())
            .as("no secret is a parameter").doesNotContain("password", "secret"));
        String policies = String.valueOf(function().get("Policies"));
        assertThat(policies).contains("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "DbSecretArn",
                "AppSecretArn")
            .doesNotContain("\"*\"", "Resource=*", "DbMasterSecretArn");
    }

    @Test
    void everyParameterIsDescribedAndEveryResourceSaysWhy() {
        TEMPLATE.parameters().forEach((name, parameter) -> assertThat(map(parameter).get("Description"))
            .as(name).isNotNull());
        List<String> lines = TEMPLATE.text().lines().toList();
        List<String> uncommented = new ArrayList<>();
        for (int i = lines.indexOf("Resources:") + 1; i < lines.indexOf("Outputs:"); i++) {
            if (lines.get(i).matches("  [A-Za-z0-9]+:\\s*") && !lines.get(i - 1).startsWith("  #")) {
                uncommented.add(lines.get(i).trim());
            }
        }
        assertThat(uncommented).isEmpty();
    }

    private static Map<String, Object> function() {
        assertThat(TEMPLATE.type("HelloApiFunction")).isEqualTo("AWS::Serverless::Function");
        return TEMPLATE.properties("HelloApiFunction");
    }

    private static Map<String, Object> environment() {
        return map(map(function().get("Environment")).get("Variables"));
    }
}
