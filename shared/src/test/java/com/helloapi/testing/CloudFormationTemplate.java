package com.helloapi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A CloudFormation YAML template parsed into plain maps and lists, short-form tags turned into their long forms. Shared
 * by the template tests of every module (ecs-stack.yaml in container/, template.yaml in function/).
 */
public final class CloudFormationTemplate {

    /** Short-form tag to the key of its long form ({@code !Ref x} becomes {@code {"Ref": x}}). */
    public static final Map<String, String> SHORT_FORMS = Map.ofEntries(Map.entry("!Ref", "Ref"),
            Map.entry("!Condition", "Condition"), Map.entry("!GetAtt", "Fn::GetAtt"), Map.entry("!Sub", "Fn::Sub"),
            Map.entry("!Join", "Fn::Join"), Map.entry("!Select", "Fn::Select"), Map.entry("!GetAZs", "Fn::GetAZs"),
            Map.entry("!If", "Fn::If"), Map.entry("!Equals", "Fn::Equals"), Map.entry("!Not", "Fn::Not"),
            Map.entry("!And", "Fn::And"), Map.entry("!Or", "Fn::Or"), Map.entry("!Split", "Fn::Split"),
            Map.entry("!FindInMap", "Fn::FindInMap"), Map.entry("!ImportValue", "Fn::ImportValue"),
            Map.entry("!Base64", "Fn::Base64"), Map.entry("!Cidr", "Fn::Cidr"));

    /** CloudFormation's pseudo parameters. */
    public static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
            "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");

    /**
     * Properties that give a resource its name in the account and region, wherever a resource type has one at the top
     * of its Properties. ServiceName and Family only name an ECS service and task definition: on a VPC endpoint
     * ServiceName is the AWS service, on a DB parameter group Family the engine's. A Route 53 record's Name is the
     * operator's own domain, not a name the template chooses.
     */
    public static final Set<String> PHYSICAL_NAME_PROPERTIES = Set.of("Name", "ClusterName", "RoleName",
            "ManagedPolicyName", "InstanceProfileName", "GroupName", "LogGroupName", "FunctionName", "LayerName",
            "DBInstanceIdentifier", "DBClusterIdentifier", "DBProxyName", "DBSubnetGroupName", "DBParameterGroupName",
            "DashboardName", "AlarmName", "TopicName", "QueueName", "TableName", "BucketName", "AliasName",
            "RepositoryName", "SecretName", "StateMachineName", "LoadBalancerName", "PolicyName", "StageName",
            "RotationLambdaName");

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!]*)}");

    /** The value {@link #evaluate} gives {@code AWS::NoValue}. */
    public static final Object NO_VALUE = new Object() {

        @Override
        public String toString() {
            return "AWS::NoValue";
        }

    };

    private final Path path;

    private final String text;

    private final Map<String, Object> root;

    private CloudFormationTemplate(Path path, String text, Map<String, Object> root) {
        this.path = path;
        this.text = text;
        this.root = root;
    }

    /** Finds {@code fileName} in the repository root: {@code ../fileName} from a module directory, else here. */
    public static Path locate(String fileName) {
        Path fromModule = Path.of("..", fileName);
        return Files.isRegularFile(fromModule) ? fromModule : Path.of(fileName);
    }

    /** Reads and parses a template. */
    public static CloudFormationTemplate load(Path path) {
        try {
            String text = Files.readString(path);
            Map<String, Object> root = new Yaml(new IntrinsicFunctionConstructor()).load(text);
            return new CloudFormationTemplate(path, text, root);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + path.toAbsolutePath(), ex);
        }
    }

    public Path path() {
        return this.path;
    }

    /** The raw text, for checks about comments that parsing drops. */
    public String text() {
        return this.text;
    }

    public Map<String, Object> root() {
        return this.root;
    }

    /** A top-level section such as Parameters; empty when absent. */
    public Map<String, Object> section(String name) {
        Object section = this.root.get(name);
        return (section != null) ? map(section) : Map.of();
    }

    public Map<String, Object> parameters() {
        return section("Parameters");
    }

    public Map<String, Object> mappings() {
        return section("Mappings");
    }

    public Map<String, Object> conditions() {
        return section("Conditions");
    }

    public Map<String, Object> resources() {
        return section("Resources");
    }

    public Map<String, Object> outputs() {
        return section("Outputs");
    }

    /** A resource's whole definition (Type, Properties, Condition, policies...). */
    public Map<String, Object> resource(String logicalId) {
        Object resource = resources().get(logicalId);
        if (resource == null) {
            throw new AssertionError("No resource " + logicalId + " in " + this.path);
        }
        return map(resource);
    }

    /** A resource's Properties; empty when it has none. */
    public Map<String, Object> properties(String logicalId) {
        Object properties = resource(logicalId).get("Properties");
        return (properties != null) ? map(properties) : Map.of();
    }

    public String type(String logicalId) {
        return String.valueOf(resource(logicalId).get("Type"));
    }

    /** Logical ids of every resource of one type, in template order. */
    public List<String> resourcesOfType(String type) {
        return resources().keySet().stream().filter((id) -> type.equals(type(id))).toList();
    }

    /** A parameter's whole definition (Type, Default, AllowedValues...). */
    public Map<String, Object> parameter(String name) {
        Object parameter = parameters().get(name);
        if (parameter == null) {
            throw new AssertionError("No parameter " + name + " in " + this.path);
        }
        return map(parameter);
    }

    /** A parameter's Default as a string (YAML may have read it as a number or boolean). */
    public String parameterDefault(String name) {
        return String.valueOf(parameter(name).get("Default"));
    }

    /** A parameter's AllowedValues as strings; empty when it has none. */
    public List<String> allowedValues(String name) {
        Object allowed = parameter(name).get("AllowedValues");
        return (allowed != null) ? list(allowed).stream().map(String::valueOf).toList() : List.of();
    }

    /**
     * The value a property has when the stack is created with default parameters: a literal as a string, a
     * {@code Ref} to a parameter as that parameter's Default; anything else is not a value this can know.
     */
    public String valueWithDefaults(Object node) {
        String target = ref(node);
        if (target != null && parameters().containsKey(target)) {
            return parameterDefault(target);
        }
        if (node instanceof String || node instanceof Number || node instanceof Boolean) {
            return String.valueOf(node);
        }
        throw new AssertionError("Not a literal or a parameter: " + node);
    }

    /**
     * Evaluates a condition of the Conditions section as CloudFormation would for a stack created with these parameter
     * values (every other parameter at its Default; {@code AWS::Region} and {@code AWS::StackName} may be given too).
     */
    public boolean condition(String name, Map<String, String> parameterValues) {
        return (Boolean) evaluate(Map.of("Condition", name), parameterValues);
    }

    /**
     * Evaluates a node (a condition, a rule's condition or assertion, or a property built from Ref, Fn::If,
     * Fn::FindInMap, Fn::Equals, Fn::Not, Fn::And, Fn::Or and Fn::Sub over parameters) for a stack created with these
     * parameter values: a Boolean, a String, a list, a map, {@link #NO_VALUE}, or a literal as written. A resource's
     * Ref or attribute, known only once the stack exists, is the placeholder {@code <Resource>} or
     * {@code <Resource.Attribute>}.
     */
    public Object evaluate(Object node, Map<String, String> parameterValues) {
        Map<String, String> values = new HashMap<>();
        parameters().keySet().forEach((name) -> values.put(name, String.valueOf(parameter(name).get("Default"))));
        values.put("AWS::Region", "us-east-1");
        values.put("AWS::StackName", "helloapi");
        values.put("AWS::AccountId", "123456789012");
        values.put("AWS::Partition", "aws");
        values.putAll(parameterValues);
        return evaluateNode(node, values);
    }

    private Object evaluateNode(Object node, Map<String, String> values) {
        if (node instanceof List<?> list) {
            // CloudFormation drops the entries that evaluate to AWS::NoValue.
            return list.stream().map((item) -> evaluateNode(item, values)).filter((item) -> item != NO_VALUE).toList();
        }
        if (!(node instanceof Map<?, ?> map)) {
            return node;
        }
        String function = String.valueOf(map.keySet().iterator().next());
        boolean intrinsic = function.equals("Ref") || function.equals("Condition") || function.startsWith("Fn::");
        if (map.size() != 1 || !intrinsic) {
            Map<String, Object> evaluated = new LinkedHashMap<>();
            map.forEach((key, value) -> {
                Object result = evaluateNode(value, values);
                if (result != NO_VALUE) {
                    evaluated.put(String.valueOf(key), result);
                }
            });
            return evaluated;
        }
        Object argument = map.values().iterator().next();
        return switch (function) {
            case "Ref" -> {
                String name = String.valueOf(argument);
                if (name.equals("AWS::NoValue")) {
                    yield NO_VALUE;
                }
                if (resources().containsKey(name)) {
                    yield "<" + name + ">";
                }
                if (!values.containsKey(name)) {
                    throw new AssertionError("Cannot evaluate Ref " + name + " without a stack");
                }
                yield values.get(name);
            }
            case "Condition" -> conditionWith(String.valueOf(argument), values);
            case "Fn::GetAtt" -> "<" + String.join(".", list(argument).stream().map(String::valueOf).toList()) + ">";
            case "Fn::Equals" -> {
                List<Object> operands = list(argument);
                yield String.valueOf(evaluateNode(operands.get(0), values))
                    .equals(String.valueOf(evaluateNode(operands.get(1), values)));
            }
            case "Fn::Not" -> !(Boolean) evaluateNode(list(argument).get(0), values);
            case "Fn::And" -> list(argument).stream().allMatch((operand) -> (Boolean) evaluateNode(operand, values));
            case "Fn::Or" -> list(argument).stream().anyMatch((operand) -> (Boolean) evaluateNode(operand, values));
            case "Fn::If" -> {
                List<Object> branches = list(argument);
                yield evaluateNode(conditionWith(String.valueOf(branches.get(0)), values) ? branches.get(1)
                        : branches.get(2), values);
            }
            case "Fn::FindInMap" -> {
                List<Object> keys = list(argument);
                Object mapping = mappings().get(String.valueOf(evaluateNode(keys.get(0), values)));
                Object first = map(mapping).get(String.valueOf(evaluateNode(keys.get(1), values)));
                if (first == null) {
                    throw new AssertionError("FindInMap " + keys + ": no such key for " + values);
                }
                yield String.valueOf(map(first).get(String.valueOf(evaluateNode(keys.get(2), values))));
            }
            case "Fn::Sub" -> {
                String text = (argument instanceof List<?> form) ? String.valueOf(form.get(0))
                        : String.valueOf(argument);
                Map<String, String> variables = new HashMap<>(values);
                if (argument instanceof List<?> form) {
                    map(form.get(1)).forEach((name, value) -> variables.put(name,
                            String.valueOf(evaluateNode(value, values))));
                }
                Matcher variable = SUB_VARIABLE.matcher(text);
                StringBuilder result = new StringBuilder();
                while (variable.find()) {
                    String name = variable.group(1);
                    if (!variables.containsKey(name)) {
                        throw new AssertionError("Cannot evaluate ${" + name + "} without a stack");
                    }
                    variable.appendReplacement(result, Matcher.quoteReplacement(variables.get(name)));
                }
                variable.appendTail(result);
                yield result.toString();
            }
            default -> throw new AssertionError("Cannot evaluate " + function + " without a stack: " + node);
        };
    }

    private boolean conditionWith(String name, Map<String, String> values) {
        Object definition = conditions().get(name);
        if (definition == null) {
            throw new AssertionError("No condition " + name + " in " + this.path);
        }
        return (Boolean) evaluateNode(definition, values);
    }

    /**
     * Every physical name the template sets: the {@link #PHYSICAL_NAME_PROPERTIES} at the top of a resource's
     * Properties (and a hosted rotation function's name), plus the Name tags, keyed "Resource.Property".
     */
    public Map<String, Object> physicalNames() {
        Map<String, Object> names = new LinkedHashMap<>();
        resources().forEach((id, resource) -> {
            String type = type(id);
            properties(id).forEach((property, value) -> {
                boolean namesTheResource = (PHYSICAL_NAME_PROPERTIES.contains(property)
                        && !type.equals("AWS::Route53::RecordSet"))
                        || (property.equals("ServiceName") && type.equals("AWS::ECS::Service"))
                        || (property.equals("Family") && type.equals("AWS::ECS::TaskDefinition"));
                if (namesTheResource) {
                    names.put(id + "." + property, value);
                }
            });
            walk(properties(id))
                .filter((node) -> node instanceof Map<?, ?> nested && nested.containsKey("RotationLambdaName"))
                .forEach((node) -> names.put(id + ".RotationLambdaName", map(node).get("RotationLambdaName")));
            Object tags = properties(id).get("Tags");
            if (tags instanceof List<?> tagList) {
                tagList.stream()
                    .filter((tag) -> tag instanceof Map<?, ?> entry && "Name".equals(entry.get("Key")))
                    .forEach((tag) -> names.put(id + ".Tags.Name", map(tag).get("Value")));
            }
        });
        return names;
    }

    /**
     * Whether a name cannot collide between two stacks: built from {@code AWS::StackName} (Fn::Sub or Fn::Join), or
     * another resource's generated name or id (Ref or Fn::GetAtt of a resource). A literal, or a parameter's value,
     * is the same in every stack.
     */
    public boolean derivesFromStackName(Object name) {
        String target = ref(name);
        if (target != null) {
            return resources().containsKey(target);
        }
        Object getAtt = intrinsic(name, "Fn::GetAtt");
        if (getAtt != null) {
            return resources().containsKey(String.valueOf(list(getAtt).get(0)));
        }
        Object sub = intrinsic(name, "Fn::Sub");
        if (sub != null) {
            String text = (sub instanceof List<?> form) ? String.valueOf(form.get(0)) : String.valueOf(sub);
            return text.contains("${AWS::StackName}");
        }
        Object join = intrinsic(name, "Fn::Join");
        if (join != null) {
            return walk(join).anyMatch((node) -> "AWS::StackName".equals(ref(node)));
        }
        Object ifFunction = intrinsic(name, "Fn::If");
        if (ifFunction != null) {
            List<Object> branches = list(ifFunction);
            return branches.subList(1, 3)
                .stream()
                .allMatch((branch) -> "AWS::NoValue".equals(ref(branch)) || derivesFromStackName(branch));
        }
        return false;
    }

    /** Every node of a tree, depth first, the node itself included. */
    public static Stream<Object> walk(Object node) {
        List<Object> nodes = new ArrayList<>();
        collect(node, nodes);
        return nodes.stream();
    }

    private static void collect(Object node, List<Object> nodes) {
        nodes.add(node);
        if (node instanceof Map<?, ?> map) {
            map.values().forEach((value) -> collect(value, nodes));
        }
        else if (node instanceof List<?> list) {
            list.forEach((value) -> collect(value, nodes));
        }
    }

    /** The single-key map {@code {key: value}} if {@code node} is one, else null. */
    public static Object intrinsic(Object node, String key) {
        if (node instanceof Map<?, ?> map && map.size() == 1 && map.containsKey(key)) {
            return map.get(key);
        }
        return null;
    }

    /** The target of {@code {"Ref": x}}, or null. */
    public static String ref(Object node) {
        Object target = intrinsic(node, "Ref");
        return (target != null) ? target.toString() : null;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object node) {
        if (!(node instanceof Map<?, ?>)) {
            throw new AssertionError("Expected a mapping but found " + node);
        }
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object node) {
        if (!(node instanceof List<?>)) {
            throw new AssertionError("Expected a sequence but found " + node);
        }
        return (List<Object>) node;
    }

    /** SnakeYAML's safe constructor plus one construct per CloudFormation short-form tag. */
    private static final class IntrinsicFunctionConstructor extends SafeConstructor {

        IntrinsicFunctionConstructor() {
            super(new LoaderOptions());
            SHORT_FORMS.forEach((tag, key) -> this.yamlConstructors.put(new Tag(tag), new Intrinsic(key)));
        }

        /** Builds {@code {key: value}} from a tagged scalar, sequence or mapping. */
        private final class Intrinsic extends AbstractConstruct {

            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode scalar) {
                    value = constructScalar(scalar);
                }
                else if (node instanceof SequenceNode sequence) {
                    value = constructSequence(sequence);
                }
                else {
                    value = constructMapping((MappingNode) node);
                }
                if ("Fn::GetAtt".equals(this.key) && value instanceof String dotted) {
                    int dot = dotted.indexOf('.');
                    value = (dot < 0) ? List.of(dotted) : List.of(dotted.substring(0, dot), dotted.substring(dot + 1));
                }
                Map<String, Object> function = new LinkedHashMap<>();
                function.put(this.key, value);
                return function;
            }

        }

    }

}
