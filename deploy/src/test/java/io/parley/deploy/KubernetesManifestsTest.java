package io.parley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The manifests of {@code deploy/k8s/} hold to the Kubernetes API and to each other, checked on
 * every build by {@link ManifestChecker}; and the checker itself catches what it is there to catch,
 * shown on small broken manifests.
 */
class KubernetesManifestsTest {
  private static final Path FOLDER = Path.of("k8s");
  private static final List<String> COMPONENTS = List.of("user", "friend", "group", "message", "gateway");

  private static ManifestChecker manifests() {
    assertThat(FOLDER).as("run from the deploy module").isDirectory();
    return new ManifestChecker().readFolder(FOLDER);
  }

  @Test
  void everyManifestIsValidAgainstTheKubernetesModelAndItsReferences() {
    assertThat(manifests().check()).isEmpty();
  }

  @Test
  void eachComponentHasADeploymentAServiceAndADisruptionBudget() {
    ManifestChecker manifests = manifests();
    for (String component : COMPONENTS) {
      String name = "parley-" + component;
      assertThat(manifests.all(Deployment.class)).as(name).anyMatch(d -> d.object().getMetadata().getName().equals(name));
      assertThat(manifests.all(Service.class)).as(name).anyMatch(s -> s.object().getMetadata().getName().equals(name));
      assertThat(manifests.all(PodDisruptionBudget.class)).as(name)
          .anyMatch(b -> b.object().getMetadata().getName().equals(name));
    }
  }

  @Test
  void servicesProbeGrpcHealthReadinessByServiceNameAndLivenessByTheLivenessName() {
    for (var located : manifests().all(Deployment.class)) {
      String component = located.object().getSpec().getTemplate().getMetadata().getLabels()
          .get("app.kubernetes.io/component");
      Container container = located.object().getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(container.getArgs()).as(located.where()).containsExactly(component);
      if (component.equals("gateway")) {
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        continue;
      }
      String serviceName = "parley." + component + ".v1." + Character.toUpperCase(component.charAt(0))
          + component.substring(1) + "Service";
      assertThat(container.getReadinessProbe().getGrpc().getService()).as(located.where()).isEqualTo(serviceName);
      assertThat(container.getLivenessProbe().getGrpc().getService()).as(located.where()).isEqualTo("liveness");
    }
  }

  @Test
  void noSecretValueIsCommitted() throws Exception {
    String secrets = Files.readString(FOLDER.resolve("02-secrets.yaml"));
    var secret = manifests().all(io.fabric8.kubernetes.api.model.Secret.class).get(0).object();

    assertThat(secret.getData()).isNullOrEmpty();
    assertThat(secret.getStringData()).isNotEmpty().allSatisfy((key, value) -> assertThat(value).as(key).isEmpty());
    assertThat(secrets).contains("kubectl -n parley create secret generic parley-secrets");
  }

  @Test
  void misspelledFieldIsRejected() {
    List<String> problems = new ManifestChecker().read("bad.yaml", deployment("""
              - name: grpc
                containerPrt: 9090
        """, "grpc:\n  port: 9090")).check();

    assertThat(problems).anyMatch(p -> p.contains("unknown field 'containerPrt'"));
  }

  @Test
  void misspelledTopLevelSpecFieldIsRejected() {
    String text = deployment("""
              - name: grpc
                containerPort: 9090
        """, "grpc:\n  port: 9090").replace("  replicas: 2", "  replica: 2");

    assertThat(new ManifestChecker().read("bad.yaml", text).check()).anyMatch(p -> p.contains("unknown field 'replica'"));
  }

  @Test
  void wrongTypeIsRejected() {
    String text = deployment("""
              - name: grpc
                containerPort: 9090
        """, "grpc:\n  port: 9090").replace("replicas: 2", "replicas: two");

    assertThat(new ManifestChecker().read("bad.yaml", text).check())
        .anyMatch(p -> p.startsWith("bad.yaml#1: Deployment") && p.contains("[\"replicas\"]"));
  }

  @Test
  void probeOnAPortTheContainerDoesNotDeclareIsRejected() {
    List<String> problems = new ManifestChecker().read("bad.yaml", deployment("""
              - name: grpc
                containerPort: 9090
        """, "grpc:\n  port: 9091")).check();

    assertThat(problems).anyMatch(p -> p.contains("readinessProbe: grpc.port 9091 is not a port of the container"));
  }

  @Test
  void serviceWhoseSelectorMatchesNoDeploymentIsRejected() {
    String service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: parley-x
          namespace: parley
        spec:
          clusterIP: None
          selector:
            app.kubernetes.io/name: parley-y
          ports:
            - name: grpc
              port: 9090
              targetPort: grpc
        """;
    List<String> problems = new ManifestChecker().read("bad.yaml", deployment("""
              - name: grpc
                containerPort: 9090
        """, "grpc:\n  port: 9090") + "---\n" + service).check();

    assertThat(problems).anyMatch(p -> p.contains("Service parley-x: spec.selector") && p.contains("matches the pods of no"));
  }

  @Test
  void secretKeyThatDoesNotExistIsRejected() {
    String secret = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: parley-secrets
          namespace: parley
        stringData:
          jwt-secret: ""
        """;
    String text = deployment("""
              - name: grpc
                containerPort: 9090
        """, "grpc:\n  port: 9090").replace("          env: []\n", """
                  env:
                    - name: PARLEY_DATABASE_PASSWORD
                      valueFrom:
                        secretKeyRef:
                          name: parley-secrets
                          key: database-pasword
        """);

    List<String> problems = new ManifestChecker().read("bad.yaml", text + "---\n" + secret).check();

    assertThat(problems).anyMatch(p -> p.contains("names key 'database-pasword' of Secret 'parley-secrets'"));
  }

  @Test
  void missingImageIsRejected() {
    String text = deployment("""
              - name: grpc
                containerPort: 9090
        """, "grpc:\n  port: 9090").replace("          image: parley:test\n", "");

    assertThat(new ManifestChecker().read("bad.yaml", text).check()).anyMatch(p -> p.contains("has no image"));
  }

  /** A small Deployment with {@code ports} (YAML list items) and {@code readiness} (the probe's handler). */
  private static String deployment(String ports, String readiness) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: parley-x
          namespace: parley
        spec:
          replicas: 2
          selector:
            matchLabels:
              app.kubernetes.io/name: parley-x
          template:
            metadata:
              labels:
                app.kubernetes.io/name: parley-x
            spec:
              containers:
                - name: parley
                  image: parley:test
                  env: []
                  ports:
        %s
                  livenessProbe:
                    grpc:
                      port: 9090
                      service: liveness
                  readinessProbe:
                    %s
        """.formatted(ports.stripTrailing().indent(6).stripTrailing(), readiness.replace("\n", "\n            "));
  }
}
