package io.parley.deploy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Checks Kubernetes manifests the way the API server would, without a cluster: every document is
 * read into fabric8's model of the Kubernetes API with no field it does not know (a misspelled
 * field is an error, not a silently dropped setting) and no value of the wrong type; the fields the
 * API requires are present; and the objects agree with each other (probes name container ports,
 * Services and PodDisruptionBudgets select a Deployment's pods, secret and config references name
 * keys that exist).
 *
 * <p>{@link #check} returns the problems found, each naming its file, object and field; none means
 * the manifests pass. Not thread-safe.
 */
final class ManifestChecker {
  /** The kinds these manifests may hold, and the model type each is read into. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
      "v1/Namespace", Namespace.class,
      "v1/ConfigMap", ConfigMap.class,
      "v1/Secret", Secret.class,
      "v1/Service", Service.class,
      "apps/v1/Deployment", Deployment.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

  private final YAMLMapper mapper = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();
  private final List<String> problems = new ArrayList<>();
  private final List<Located<HasMetadata>> objects = new ArrayList<>();

  /** A manifest object and where it came from, for messages. */
  record Located<T extends HasMetadata>(String source, T object) {
    String where() {
      return source + ": " + object.getKind() + " " + object.getMetadata().getName();
    }
  }

  /** Reads every {@code .yaml} file of {@code folder}, in name order (as {@code kubectl apply -f} does). */
  ManifestChecker readFolder(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        read(file.getFileName().toString(), Files.readString(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Reads the YAML documents of {@code text}, naming them {@code source} in messages. */
  ManifestChecker read(String source, String text) {
    requireNonNull(source, "source");
    int index = 0;
    try (MappingIterator<JsonNode> documents = mapper.readerFor(JsonNode.class).readValues(text)) {
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        index++;
        if (document == null || document.isNull() || document.isMissingNode()) {
          continue;
        }
        readObject(source + "#" + index, document);
      }
    } catch (JacksonException e) {
      problems.add(source + "#" + (index + 1) + ": not YAML: " + e.getOriginalMessage());
    }
    return this;
  }

  private void readObject(String source, JsonNode document) {
    String apiVersion = document.path("apiVersion").asString("");
    String kind = document.path("kind").asString("");
    Class<? extends HasMetadata> type = KINDS.get(apiVersion + "/" + kind);
    if (type == null) {
      problems.add(source + ": unexpected apiVersion/kind '" + apiVersion + "/" + kind + "'; expected one of "
          + KINDS.keySet());
      return;
    }
    HasMetadata object;
    try {
      object = mapper.treeToValue(document, type);
    } catch (JacksonException e) {
      problems.add(source + ": " + kind + ": " + e.getOriginalMessage() + " at " + e.getPathReference());
      return;
    }
    String where = source + ": " + kind + " " + (object.getMetadata() == null ? "?" : object.getMetadata().getName());
    unknownFields(where, kind, object, new IdentityHashMap<>());
    if (object.getMetadata() == null || blank(object.getMetadata().getName())) {
      problems.add(source + ": " + kind + " has no metadata.name");
      return;
    }
    objects.add(new Located<>(source, object));
  }

  /**
   * Fields the model does not know land in a catch-all map of every model object; any entry there
   * is a field Kubernetes would reject (or, worse, drop).
   */
  private void unknownFields(String where, String path, Object value, Map<Object, Boolean> seen) {
    if (value == null || seen.put(value, Boolean.TRUE) != null) {
      return;
    }
    if (value instanceof Collection<?> list) {
      int i = 0;
      for (Object element : list) {
        unknownFields(where, path + "[" + i++ + "]", element, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(where, path + "." + k, v, seen));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
        continue;
      }
      Object field;
      try {
        field = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      String name = getter.getName().substring(3);
      name = name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
      if (name.equals("additionalProperties") && field instanceof Map<?, ?> extra) {
        extra.keySet().forEach(key -> problems.add(where + ": unknown field '" + key + "' in " + path));
      } else {
        unknownFields(where, path + "." + name, field, seen);
      }
    }
  }

  /** Every problem found in what was read: unknown fields, wrong types, missing fields, broken references. */
  List<String> check() {
    List<String> found = new ArrayList<>(problems);
    Checks checks = new Checks(found);
    objects.forEach(checks::required);
    checks.references();
    return found;
  }

  /** The objects read, of {@code type}. */
  <T extends HasMetadata> List<Located<T>> all(Class<T> type) {
    List<Located<T>> matching = new ArrayList<>();
    for (Located<HasMetadata> located : objects) {
      if (type.isInstance(located.object())) {
        matching.add(new Located<>(located.source(), type.cast(located.object())));
      }
    }
    return matching;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  /** The checks beyond the schema. */
  private final class Checks {
    private final List<String> found;

    Checks(List<String> found) {
      this.found = found;
    }

    void required(Located<HasMetadata> located) {
      HasMetadata object = located.object();
      String where = located.where();
      if (!(object instanceof Namespace) && blank(object.getMetadata().getNamespace())) {
        found.add(where + ": no metadata.namespace");
      }
      if (object instanceof Deployment deployment) {
        requiredDeployment(where, deployment);
      } else if (object instanceof Service service) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null || service.getSpec().getPorts().isEmpty()) {
          found.add(where + ": spec.ports is required");
        } else {
          for (ServicePort port : service.getSpec().getPorts()) {
            if (port.getPort() == null) {
              found.add(where + ": spec.ports[" + port.getName() + "].port is required");
            }
          }
        }
      } else if (object instanceof PodDisruptionBudget budget) {
        if (budget.getSpec() == null || budget.getSpec().getSelector() == null) {
          found.add(where + ": spec.selector is required");
        } else if ((budget.getSpec().getMinAvailable() == null) == (budget.getSpec().getMaxUnavailable() == null)) {
          found.add(where + ": set exactly one of spec.minAvailable and spec.maxUnavailable");
        }
      }
    }

    private void requiredDeployment(String where, Deployment deployment) {
      var spec = deployment.getSpec();
      if (spec == null || spec.getSelector() == null || spec.getSelector().getMatchLabels() == null
          || spec.getSelector().getMatchLabels().isEmpty()) {
        found.add(where + ": spec.selector.matchLabels is required");
        return;
      }
      if (spec.getTemplate() == null || spec.getTemplate().getSpec() == null) {
        found.add(where + ": spec.template.spec is required");
        return;
      }
      Map<String, String> labels = podLabels(deployment);
      if (!labels.entrySet().containsAll(spec.getSelector().getMatchLabels().entrySet())) {
        found.add(where + ": spec.selector does not match spec.template.metadata.labels");
      }
      List<Container> containers = spec.getTemplate().getSpec().getContainers();
      if (containers == null || containers.isEmpty()) {
        found.add(where + ": spec.template.spec.containers is required");
        return;
      }
      for (Container container : containers) {
        if (blank(container.getName())) {
          found.add(where + ": a container has no name");
        }
        if (blank(container.getImage())) {
          found.add(where + ": container " + container.getName() + " has no image");
        }
        probe(where, container, "startupProbe", container.getStartupProbe());
        probe(where, container, "livenessProbe", container.getLivenessProbe());
        probe(where, container, "readinessProbe", container.getReadinessProbe());
      }
    }

    /** A probe has one handler, and its port is one the container declares. */
    private void probe(String where, Container container, String name, Probe probe) {
      String at = where + ": container " + container.getName() + " " + name;
      if (probe == null) {
        if (!name.equals("startupProbe")) {
          found.add(at + " is missing");
        }
        return;
      }
      long handlers = Stream.of(probe.getGrpc(), probe.getHttpGet(), probe.getTcpSocket(), probe.getExec())
          .filter(Objects::nonNull).count();
      if (handlers != 1) {
        found.add(at + " must have exactly one handler, has " + handlers);
        return;
      }
      if (probe.getGrpc() != null) {
        Integer port = probe.getGrpc().getPort();
        if (port == null || !hasPort(container, new IntOrString(port))) {
          found.add(at + ": grpc.port " + port + " is not a port of the container");
        }
      } else if (probe.getHttpGet() != null) {
        IntOrString port = probe.getHttpGet().getPort();
        if (port == null || !hasPort(container, port)) {
          found.add(at + ": httpGet.port " + (port == null ? null : port.getValue()) + " is not a port of the container");
        }
      } else if (probe.getTcpSocket() != null && !hasPort(container, probe.getTcpSocket().getPort())) {
        found.add(at + ": tcpSocket.port is not a port of the container");
      }
    }

    void references() {
      List<Located<Deployment>> deployments = all(Deployment.class);
      for (Located<Service> located : all(Service.class)) {
        Service service = located.object();
        Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
          found.add(located.where() + ": spec.selector is empty; it would select no pod of ours");
          continue;
        }
        List<Deployment> selected = deployments.stream().map(Located::object)
            .filter(d -> sameNamespace(d, service) && podLabels(d).entrySet().containsAll(selector.entrySet())).toList();
        if (selected.isEmpty()) {
          found.add(located.where() + ": spec.selector " + selector + " matches the pods of no Deployment");
          continue;
        }
        for (ServicePort port : service.getSpec().getPorts() == null ? List.<ServicePort>of() : service.getSpec().getPorts()) {
          IntOrString target = port.getTargetPort() == null ? new IntOrString(port.getPort()) : port.getTargetPort();
          for (Deployment deployment : selected) {
            boolean exists = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .anyMatch(c -> hasPort(c, target));
            if (!exists) {
              found.add(located.where() + ": targetPort " + target.getValue() + " is no container port of Deployment "
                  + deployment.getMetadata().getName());
            }
          }
          if ("grpc".equals(port.getName()) && !"None".equals(service.getSpec().getClusterIP())) {
            found.add(located.where() + ": a gRPC Service must be headless (clusterIP: None) for client-side "
                + "round robin over dns:/// targets");
          }
        }
      }
      for (Located<PodDisruptionBudget> located : all(PodDisruptionBudget.class)) {
        PodDisruptionBudget budget = located.object();
        if (budget.getSpec() == null || budget.getSpec().getSelector() == null) {
          continue;
        }
        Map<String, String> selector = budget.getSpec().getSelector().getMatchLabels();
        boolean matches = selector != null && !selector.isEmpty() && deployments.stream().map(Located::object)
            .anyMatch(d -> sameNamespace(d, budget) && podLabels(d).entrySet().containsAll(selector.entrySet()));
        if (!matches) {
          found.add(located.where() + ": spec.selector " + selector + " matches the pods of no Deployment");
        }
      }
      deployments.forEach(this::configReferences);
    }

    private void configReferences(Located<Deployment> located) {
      Deployment deployment = located.object();
      var podSpec = deployment.getSpec() == null || deployment.getSpec().getTemplate() == null
          ? null : deployment.getSpec().getTemplate().getSpec();
      if (podSpec == null) {
        return;
      }
      String namespace = deployment.getMetadata().getNamespace();
      for (Container container : podSpec.getContainers() == null ? List.<Container>of() : podSpec.getContainers()) {
        for (EnvVar env : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
          if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
            var ref = env.getValueFrom().getSecretKeyRef();
            secretKey(located.where() + ": env " + env.getName(), namespace, ref.getName(), ref.getKey());
          }
          if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
            var ref = env.getValueFrom().getConfigMapKeyRef();
            Map<String, String> data = configMap(namespace, ref.getName());
            if (data == null || !data.containsKey(ref.getKey())) {
              found.add(located.where() + ": env " + env.getName() + " names key '" + ref.getKey() + "' of ConfigMap '"
                  + ref.getName() + "', which does not exist");
            }
          }
        }
        for (EnvFromSource from : container.getEnvFrom() == null ? List.<EnvFromSource>of() : container.getEnvFrom()) {
          if (from.getConfigMapRef() != null && configMap(namespace, from.getConfigMapRef().getName()) == null) {
            found.add(located.where() + ": envFrom names ConfigMap '" + from.getConfigMapRef().getName()
                + "', which does not exist");
          }
          if (from.getSecretRef() != null && secretKeys(namespace, from.getSecretRef().getName()) == null) {
            found.add(located.where() + ": envFrom names Secret '" + from.getSecretRef().getName()
                + "', which does not exist");
          }
        }
        Set<String> volumeNames = new java.util.HashSet<>();
        (podSpec.getVolumes() == null ? List.<Volume>of() : podSpec.getVolumes()).forEach(v -> volumeNames.add(v.getName()));
        (container.getVolumeMounts() == null ? List.<io.fabric8.kubernetes.api.model.VolumeMount>of()
            : container.getVolumeMounts()).forEach(mount -> {
              if (!volumeNames.contains(mount.getName())) {
                found.add(located.where() + ": volumeMount " + mount.getName() + " names no volume of the pod");
              }
            });
      }
      for (Volume volume : podSpec.getVolumes() == null ? List.<Volume>of() : podSpec.getVolumes()) {
        if (volume.getSecret() != null) {
          String name = volume.getSecret().getSecretName();
          List<KeyToPath> items = volume.getSecret().getItems();
          if (items == null || items.isEmpty()) {
            secretKey(located.where() + ": volume " + volume.getName(), namespace, name, null);
          } else {
            items.forEach(item -> secretKey(located.where() + ": volume " + volume.getName(), namespace, name,
                item.getKey()));
          }
        }
      }
    }

    /** A Secret named {@code name} exists in {@code namespace}, with {@code key} if it is not null. */
    private void secretKey(String at, String namespace, String name, String key) {
      Set<String> keys = secretKeys(namespace, name);
      if (keys == null) {
        found.add(at + " names Secret '" + name + "', which does not exist");
      } else if (key != null && !keys.contains(key)) {
        found.add(at + " names key '" + key + "' of Secret '" + name + "', which has only " + keys);
      }
    }

    private Set<String> secretKeys(String namespace, String name) {
      for (Located<Secret> located : all(Secret.class)) {
        Secret secret = located.object();
        if (Objects.equals(secret.getMetadata().getNamespace(), namespace) && secret.getMetadata().getName().equals(name)) {
          Set<String> keys = new java.util.TreeSet<>();
          if (secret.getData() != null) {
            keys.addAll(secret.getData().keySet());
          }
          if (secret.getStringData() != null) {
            keys.addAll(secret.getStringData().keySet());
          }
          return keys;
        }
      }
      return null;
    }

    private Map<String, String> configMap(String namespace, String name) {
      for (Located<ConfigMap> located : all(ConfigMap.class)) {
        ConfigMap map = located.object();
        if (Objects.equals(map.getMetadata().getNamespace(), namespace) && map.getMetadata().getName().equals(name)) {
          return map.getData() == null ? Map.of() : map.getData();
        }
      }
      return null;
    }
  }

  static Map<String, String> podLabels(Deployment deployment) {
    var template = deployment.getSpec() == null ? null : deployment.getSpec().getTemplate();
    if (template == null || template.getMetadata() == null || template.getMetadata().getLabels() == null) {
      return Map.of();
    }
    return new LinkedHashMap<>(template.getMetadata().getLabels());
  }

  private static boolean sameNamespace(HasMetadata a, HasMetadata b) {
    return Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace());
  }

  /** Whether {@code container} declares {@code port}, by number or by name. */
  static boolean hasPort(Container container, IntOrString port) {
    if (port == null || container.getPorts() == null) {
      return false;
    }
    for (ContainerPort declared : container.getPorts()) {
      if (port.getIntVal() != null && port.getIntVal().equals(declared.getContainerPort())) {
        return true;
      }
      if (port.getStrVal() != null && port.getStrVal().equals(declared.getName())) {
        return true;
      }
    }
    return false;
  }
}
