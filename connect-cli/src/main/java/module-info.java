/**
 * The {@code connect} command line: a program, not a library, so it exports nothing; picocli
 * reads its commands by reflection.
 */
module dev.connect.cli {
  requires dev.connect.agent;
  requires dev.connect.http;
  requires dev.connect.consul;
  requires dev.connect.ca.vault;
  requires dev.connect.proxy;
  requires org.slf4j;
  requires info.picocli;

  opens dev.connect.cli to info.picocli;
}
