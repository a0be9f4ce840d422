package dev.connect.tls.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} over an initialized one whose every engine, socket and server socket
 * starts with Connect's parameters (protocols, cipher suites, client authentication required on
 * a server, no endpoint identification), and whose {@link SSLContext#getDefaultSSLParameters()}
 * are those parameters, so that code configuring itself from the context (the JDK's {@code
 * HttpsServer} and {@code HttpClient}) cannot forget them.
 */
public final class ConfiguredSslContext extends SSLContext {

  /**
   * Wraps an initialized context.
   *
   * @param delegate the initialized context
   * @param parameters the parameters every engine and socket starts with; copied
   */
  public ConfiguredSslContext(SSLContext delegate, SSLParameters parameters) {
    super(new Spi(delegate, parameters), delegate.getProvider(), delegate.getProtocol());
  }

  static SSLParameters copy(SSLParameters p) {
    SSLParameters c = new SSLParameters(p.getCipherSuites(), p.getProtocols());
    c.setNeedClientAuth(p.getNeedClientAuth());
    c.setEndpointIdentificationAlgorithm(p.getEndpointIdentificationAlgorithm());
    c.setUseCipherSuitesOrder(p.getUseCipherSuitesOrder());
    c.setApplicationProtocols(p.getApplicationProtocols());
    c.setAlgorithmConstraints(p.getAlgorithmConstraints());
    return c;
  }

  private static final class Spi extends SSLContextSpi {
    private final SSLContext delegate;
    private final SSLParameters parameters;

    Spi(SSLContext delegate, SSLParameters parameters) {
      this.delegate = delegate;
      this.parameters = copy(parameters);
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
        throws KeyManagementException {
      throw new KeyManagementException("a Connect SSLContext is initialized when it is built");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return new SocketFactory(delegate.getSocketFactory(), parameters);
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return new ServerSocketFactory(delegate.getServerSocketFactory(), parameters);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      SSLEngine engine = delegate.createSSLEngine();
      engine.setSSLParameters(copy(parameters));
      return engine;
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      SSLEngine engine = delegate.createSSLEngine(host, port);
      engine.setSSLParameters(copy(parameters));
      return engine;
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return delegate.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return delegate.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return copy(parameters);
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return delegate.getSupportedSSLParameters();
    }
  }

  private static final class SocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final SSLParameters parameters;

    SocketFactory(SSLSocketFactory delegate, SSLParameters parameters) {
      this.delegate = delegate;
      this.parameters = parameters;
    }

    private Socket configure(Socket s) {
      ((SSLSocket) s).setSSLParameters(copy(parameters));
      return s;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return parameters.getCipherSuites().clone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return configure(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      return configure(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(Socket s, InputStream consumed, boolean autoClose)
        throws IOException {
      return configure(delegate.createSocket(s, consumed, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return configure(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return configure(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return configure(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
        int localPort) throws IOException {
      return configure(delegate.createSocket(address, port, localAddress, localPort));
    }
  }

  private static final class ServerSocketFactory extends SSLServerSocketFactory {
    private final SSLServerSocketFactory delegate;
    private final SSLParameters parameters;

    ServerSocketFactory(SSLServerSocketFactory delegate, SSLParameters parameters) {
      this.delegate = delegate;
      this.parameters = parameters;
    }

    private ServerSocket configure(ServerSocket s) {
      ((SSLServerSocket) s).setSSLParameters(copy(parameters));
      return s;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return parameters.getCipherSuites().clone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
      return configure(delegate.createServerSocket());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return configure(delegate.createServerSocket(port));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      return configure(delegate.createServerSocket(port, backlog));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress)
        throws IOException {
      return configure(delegate.createServerSocket(port, backlog, ifAddress));
    }
  }
}
