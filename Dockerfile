# cddpm: built with Maven on a JDK image, run on a JRE image.
#   docker build -t cddpm .                       CPU libtorch
#   docker build --build-arg MAVEN_PROFILES=-Pcuda -t cddpm:cuda .   CUDA 12.4 libtorch (NVIDIA hosts)
FROM maven:3.9-eclipse-temurin-17 AS build
ARG MAVEN_PROFILES=""
WORKDIR /src
COPY pom.xml .
COPY src src
RUN mvn -B -ntp ${MAVEN_PROFILES} -DskipTests package

FROM eclipse-temurin:17-jre
ARG GIT_COMMIT=""
ENV CDDPM_GIT_COMMIT=${GIT_COMMIT}
WORKDIR /work
COPY --from=build /src/target/cddpm.jar /opt/cddpm/cddpm.jar
COPY --from=build /src/target/lib /opt/cddpm/lib
COPY experiments /opt/cddpm/experiments
COPY routes /opt/cddpm/routes
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true", "-Dcddpm.home=/opt/cddpm", "-jar", "/opt/cddpm/cddpm.jar"]
CMD ["--help"]
