package com.helloapi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
